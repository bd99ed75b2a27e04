import { Duration, RemovalPolicy, TimeZone } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';

import { POSTGRES_PORT, SUBNETS } from '../network-stack.js';

export interface DatabaseProps {
  vpc: ec2.IVpc;
  securityGroup: ec2.ISecurityGroup;
}

/** Name of the application database inside the instance. */
export const DATABASE_NAME = 'threadline';

/**
 * Characters left out of the generated password so that the image entrypoint can put it into a
 * DATABASE_URL after percent-encoding without surprises from shells or URL parsers.
 */
const PASSWORD_EXCLUDES = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\=,^';

/**
 * DAR-001: RDS PostgreSQL 15, Multi-AZ (active/standby in the other AZ), db.m5.large, 100 GB,
 * encrypted, credentials generated into Secrets Manager; AWS Backup takes a daily backup at 02:00
 * Asia/Seoul with continuous backup (PITR), kept 7 days, in its own encrypted vault.
 */
export class Database extends Construct {
  readonly instance: rds.DatabaseInstance;
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const key = new kms.Key(this, 'Key', { enableKeyRotation: true, description: 'Threadline database storage and backups' });
    const parameters = new rds.ParameterGroup(this, 'Parameters', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_15 }),
      parameters: { 'rds.force_ssl': '1', log_min_duration_statement: '500' },
    });
    this.instance = new rds.DatabaseInstance(this, 'Postgres', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_15 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.M5, ec2.InstanceSize.LARGE),
      multiAz: true,
      allocatedStorage: 100,
      storageType: rds.StorageType.GP3,
      storageEncrypted: true,
      storageEncryptionKey: key,
      databaseName: DATABASE_NAME,
      port: POSTGRES_PORT,
      credentials: rds.Credentials.fromGeneratedSecret('threadline', { excludeCharacters: PASSWORD_EXCLUDES }),
      vpc: props.vpc,
      vpcSubnets: { subnetGroupName: SUBNETS.db },
      securityGroups: [props.securityGroup],
      parameterGroup: parameters,
      backupRetention: Duration.days(7),
      preferredBackupWindow: '16:00-16:30', // UTC, i.e. 01:00 KST, before the 02:00 AWS Backup job
      preferredMaintenanceWindow: 'sun:18:00-sun:19:00', // 03:00–04:00 KST Monday, fewest shoppers
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: key,
      monitoringInterval: Duration.seconds(60),
      autoMinorVersionUpgrade: true,
    });

    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: 'threadline-vault',
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.plan = new backup.BackupPlan(this, 'Plan', { backupPlanName: 'threadline-daily-0200-kst', backupVault: this.vault });
    this.plan.addRule(
      new backup.BackupPlanRule({
        ruleName: 'daily-0200-kst-pitr',
        scheduleExpression: events.Schedule.cron({ minute: '0', hour: '2' }),
        scheduleExpressionTimezone: TimeZone.ASIA_SEOUL,
        startWindow: Duration.hours(1),
        completionWindow: Duration.hours(4),
        enableContinuousBackup: true,
        deleteAfter: Duration.days(7),
      }),
    );
    this.plan.addSelection('Postgres', { resources: [backup.BackupResource.fromRdsDatabaseInstance(this.instance)] });
  }
}
