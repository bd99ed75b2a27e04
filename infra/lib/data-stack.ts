import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as quicksight from 'aws-cdk-lib/aws-quicksight';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

import { ThreadlineStack, type ThreadlineStackProps } from './base-stack.js';
import { SUBNETS, type NetworkStack } from './network-stack.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Glue Data Quality rules of the nightly order-items set (DQDL); the ETL job evaluates the same. */
export const ORDER_ITEMS_DQ_RULESET = [
  'Rules = [',
  '  RowCount > 0,',
  '  IsComplete "order_id",',
  '  IsComplete "product_id",',
  '  IsComplete "customer_id",',
  '  ColumnValues "quantity" > 0,',
  '  ColumnValues "unit_price_cents" >= 0,',
  '  ColumnValues "total_cents" >= 0,',
  '  ColumnValues "currency" in ["USD", "EUR", "GBP", "CAD", "KRW"]',
  ']',
].join('\n');

/**
 * jq query that Firehose runs on every event to get its partition keys. Events carry
 * `event_time` in epoch milliseconds, UTC (packages/clickstream/src/collect/event.ts).
 */
export const PARTITION_KEY_QUERY = '{dt: (.event_time / 1000 | floor | strftime("%Y-%m-%d")), hour: (.event_time / 1000 | floor | strftime("%H"))}';

/** 02:00 in Seoul is 17:00 UTC the day before; Glue trigger schedules are in UTC. */
export const NIGHTLY_SCHEDULE_UTC = 'cron(0 17 * * ? *)';

export interface DataStackProps extends ThreadlineStackProps {
  network: NetworkStack;
  database: rds.DatabaseInstance;
  alertsTopic: sns.ITopic;
  cluster: ecs.ICluster;
  workerTask: ecs.TaskDefinition;
  workerSecurityGroup: ec2.ISecurityGroup;
}

/**
 * SYS-007, the marketing data pipeline: S3 lake buckets (raw, curated, query results), the
 * clickstream path (Kinesis Data Streams → Firehose with dynamic partitioning by dt/hour of the
 * event), the survey upload Lambda, the Glue catalog, crawler and nightly ETL job with its Data
 * Quality ruleset, chained in a Glue workflow started at 02:00 KST, an Athena workgroup, and the
 * QuickSight Athena data source.
 */
export class DataStack extends ThreadlineStack {
  readonly rawBucket: s3.Bucket;
  readonly curatedBucket: s3.Bucket;
  readonly resultsBucket: s3.Bucket;
  readonly stream: kinesis.Stream;
  readonly deliveryStream: firehose.CfnDeliveryStream;
  readonly surveyFunction: lambda.Function;
  readonly workgroup: athena.CfnWorkGroup;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const logsBucket = new s3.Bucket(this, 'LakeAccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    const lakeBucket = (name: string): s3.Bucket =>
      new s3.Bucket(this, name, {
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        versioned: true,
        serverAccessLogsBucket: logsBucket,
        serverAccessLogsPrefix: `${name}/`,
        removalPolicy: RemovalPolicy.RETAIN,
        lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      });
    this.rawBucket = lakeBucket('LakeRaw');
    this.curatedBucket = lakeBucket('LakeCurated');
    this.resultsBucket = lakeBucket('QueryResults');

    // Clickstream: the API's /collect appends NDJSON batches to the stream (packages/lake kinesis sink).
    this.stream = new kinesis.Stream(this, 'Clickstream', {
      streamName: 'threadline-clickstream',
      shardCount: 1,
      retentionPeriod: Duration.hours(24),
      encryption: kinesis.StreamEncryption.MANAGED,
    });
    const firehoseRole = new iam.Role(this, 'FirehoseRole', { assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com') });
    this.stream.grantRead(firehoseRole);
    this.rawBucket.grantReadWrite(firehoseRole);
    const firehoseLogs = new logs.LogGroup(this, 'FirehoseLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.RETAIN });
    const firehoseLogStream = firehoseLogs.addStream('S3Delivery');
    firehoseLogs.grantWrite(firehoseRole);
    this.deliveryStream = new firehose.CfnDeliveryStream(this, 'ClickstreamDelivery', {
      deliveryStreamName: 'threadline-clickstream-to-lake',
      deliveryStreamType: 'KinesisStreamAsSource',
      kinesisStreamSourceConfiguration: { kinesisStreamArn: this.stream.streamArn, roleArn: firehoseRole.roleArn },
      extendedS3DestinationConfiguration: {
        bucketArn: this.rawBucket.bucketArn,
        roleArn: firehoseRole.roleArn,
        // Hive key=value prefixes from the event's own time, so late events land in their hour.
        prefix: 'clickstream/dt=!{partitionKeyFromQuery:dt}/hour=!{partitionKeyFromQuery:hour}/',
        errorOutputPrefix: 'clickstream-errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
        bufferingHints: { intervalInSeconds: 300, sizeInMBs: 128 }, // dynamic partitioning needs ≥ 64 MB
        compressionFormat: 'GZIP',
        dynamicPartitioningConfiguration: { enabled: true, retryOptions: { durationInSeconds: 300 } },
        processingConfiguration: {
          enabled: true,
          processors: [
            // One stream record is one NDJSON batch: split it into events first.
            {
              type: 'RecordDeAggregation',
              parameters: [
                { parameterName: 'SubRecordType', parameterValue: 'DELIMITED' },
                { parameterName: 'Delimiter', parameterValue: 'Cg==' }, // base64 of "\n"
              ],
            },
            {
              type: 'MetadataExtraction',
              parameters: [
                { parameterName: 'MetadataExtractionQuery', parameterValue: PARTITION_KEY_QUERY },
                { parameterName: 'JsonParsingEngine', parameterValue: 'JQ-1.6' },
              ],
            },
            { type: 'AppendDelimiterToRecord', parameters: [] },
          ],
        },
        cloudWatchLoggingOptions: { enabled: true, logGroupName: firehoseLogs.logGroupName, logStreamName: firehoseLogStream.logStreamName },
      },
    });
    this.deliveryStream.node.addDependency(firehoseRole);

    // Survey upload (5.2): staff drop the spreadsheet under surveys/, a worker task imports it.
    const surveyLogs = new logs.LogGroup(this, 'SurveyUploadLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.RETAIN });
    this.surveyFunction = new lambda.Function(this, 'SurveyUpload', {
      description: 'Starts the survey import (Excel → Parquet) when an .xlsx lands under surveys/',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(HERE, '..', 'lambda', 'survey-upload')),
      timeout: Duration.seconds(30),
      memorySize: 256,
      logGroup: surveyLogs,
      environment: {
        CLUSTER_ARN: props.cluster.clusterArn,
        TASK_DEFINITION_ARN: props.workerTask.taskDefinitionArn,
        CONTAINER_NAME: 'worker',
        CAPACITY_PROVIDER: 'threadline-app',
        SUBNET_IDS: props.network.vpc.selectSubnets({ subnetGroupName: SUBNETS.app }).subnetIds.join(','),
        SECURITY_GROUP_ID: props.workerSecurityGroup.securityGroupId,
        TOPIC_ARN: props.alertsTopic.topicArn,
      },
    });
    this.surveyFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [props.workerTask.taskDefinitionArn],
        conditions: { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } },
      }),
    );
    const passRoles = [props.workerTask.taskRole.roleArn, ...(props.workerTask.executionRole ? [props.workerTask.executionRole.roleArn] : [])];
    this.surveyFunction.addToRolePolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: passRoles }));
    props.alertsTopic.grantPublish(this.surveyFunction);
    // Imported here (mutable) so that the grant's policy lives in this stack, not in the shop's.
    const workerRole = iam.Role.fromRoleArn(this, 'WorkerTaskRole', props.workerTask.taskRole.roleArn, { mutable: true });
    this.rawBucket.grantRead(workerRole, 'surveys/*');
    this.rawBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(this.surveyFunction), { prefix: 'surveys/', suffix: '.xlsx' });

    this.buildGlue(props);

    this.workgroup = new athena.CfnWorkGroup(this, 'Workgroup', {
      name: 'threadline',
      description: 'Threadline marketing analyses (5.1 peak hours, 5.2 survey channels, 5.3 customers/sales/reviews)',
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/athena/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
      },
    });

    // QuickSight has no L2 construct: the Athena data source as L1. Dashboards (SPICE datasets)
    // are built in QuickSight itself on top of it; see docs/deploy-aws.md.
    const principal = this.settings.quickSightPrincipalArn;
    new quicksight.CfnDataSource(this, 'QuickSightAthena', {
      awsAccountId: Stack.of(this).account,
      dataSourceId: 'threadline-athena',
      name: 'Threadline (Athena)',
      type: 'ATHENA',
      dataSourceParameters: { athenaParameters: { workGroup: this.workgroup.name } },
      sslProperties: { disableSsl: false },
      ...(principal
        ? {
            permissions: [
              {
                principal,
                actions: [
                  'quicksight:DescribeDataSource',
                  'quicksight:DescribeDataSourcePermissions',
                  'quicksight:PassDataSource',
                  'quicksight:UpdateDataSource',
                  'quicksight:UpdateDataSourcePermissions',
                ],
              },
            ],
          }
        : {}),
    }).addResourceDependency(this.workgroup);
  }

  private buildGlue(props: DataStackProps): void {
    const databaseName = 'threadline';
    const catalog = new glue.CfnDatabase(this, 'Catalog', {
      catalogId: Stack.of(this).account,
      databaseInput: { name: databaseName, description: 'Threadline lake: clickstream (dt/hour), order items (dt), surveys' },
    });
    const key = new kms.Key(this, 'GlueKey', { enableKeyRotation: true, description: 'Glue job logs and bookmarks' });
    key.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${Stack.of(this).region}.amazonaws.com`));
    const security = new glue.CfnSecurityConfiguration(this, 'GlueSecurity', {
      name: 'threadline-glue',
      encryptionConfiguration: {
        s3Encryptions: [{ s3EncryptionMode: 'SSE-S3' }],
        cloudWatchEncryption: { cloudWatchEncryptionMode: 'SSE-KMS', kmsKeyArn: key.keyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: key.keyArn },
      },
    });
    const role = new iam.Role(this, 'GlueRole', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSGlueServiceRole')],
    });
    this.rawBucket.grantRead(role);
    this.curatedBucket.grantReadWrite(role);
    key.grantEncryptDecrypt(role);
    props.database.secret?.grantRead(role);

    const subnet = props.network.vpc.selectSubnets({ subnetGroupName: SUBNETS.app }).subnets[0];
    if (!subnet) throw new Error('the VPC has no application subnet for the Glue connection');
    const connection = new glue.CfnConnection(this, 'ShopDatabase', {
      catalogId: Stack.of(this).account,
      connectionInput: {
        name: 'threadline-postgres',
        description: 'Read access to the shop database for the 02:00 extract',
        connectionType: 'JDBC',
        connectionProperties: {
          JDBC_CONNECTION_URL: `jdbc:postgresql://${props.database.dbInstanceEndpointAddress}:${props.database.dbInstanceEndpointPort}/threadline`,
          SECRET_ID: props.database.secret?.secretName ?? '',
          JDBC_ENFORCE_SSL: 'true',
        },
        physicalConnectionRequirements: {
          availabilityZone: subnet.availabilityZone,
          subnetId: subnet.subnetId,
          securityGroupIdList: [props.network.glueSg.securityGroupId],
        },
      },
    });

    const script = new s3assets.Asset(this, 'NightlyExtractScript', { path: path.join(HERE, '..', 'glue', 'nightly_extract.py') });
    script.grantRead(role);
    const job = new glue.CfnJob(this, 'NightlyExtract', {
      name: 'threadline-nightly-extract',
      description: 'DB → order-items analysis set (Parquet, dt=) with Data Quality checks before publishing',
      role: role.roleArn,
      command: { name: 'glueetl', pythonVersion: '3', scriptLocation: script.s3ObjectUrl },
      glueVersion: '4.0',
      workerType: 'G.1X',
      numberOfWorkers: 2,
      timeout: 60,
      maxRetries: 1,
      securityConfiguration: security.name,
      connections: { connections: ['threadline-postgres'] },
      defaultArguments: {
        '--connection_name': 'threadline-postgres',
        '--curated_path': `s3://${this.curatedBucket.bucketName}/`,
        '--database': databaseName,
        '--dq_ruleset': ORDER_ITEMS_DQ_RULESET,
        '--enable-continuous-cloudwatch-log': 'true',
        '--enable-metrics': 'true',
        '--job-bookmark-option': 'job-bookmark-disable',
      },
    });
    job.addResourceDependency(connection);
    job.addResourceDependency(security);

    const crawler = new glue.CfnCrawler(this, 'Crawler', {
      name: 'threadline-lake',
      description: 'Schema and partitions (dt=/hour=) of the clickstream and the nightly analysis sets',
      role: role.roleArn,
      databaseName,
      crawlerSecurityConfiguration: security.name,
      targets: {
        s3Targets: [
          { path: `s3://${this.rawBucket.bucketName}/clickstream/`, exclusions: ['clickstream-errors/**'] },
          { path: `s3://${this.curatedBucket.bucketName}/order_items_daily/` },
          { path: `s3://${this.curatedBucket.bucketName}/surveys/` },
        ],
      },
      schemaChangePolicy: { updateBehavior: 'UPDATE_IN_DATABASE', deleteBehavior: 'LOG' },
      recrawlPolicy: { recrawlBehavior: 'CRAWL_NEW_FOLDERS_ONLY' },
      configuration: JSON.stringify({ Version: 1.0, Grouping: { TableGroupingPolicy: 'CombineCompatibleSchemas' } }),
    });
    crawler.addResourceDependency(catalog);

    new glue.CfnDataQualityRuleset(this, 'OrderItemsQuality', {
      name: 'threadline-order-items-daily',
      description: 'Checks of the nightly order-items set, also evaluated inside the job before publishing',
      ruleset: ORDER_ITEMS_DQ_RULESET,
      targetTable: { databaseName, tableName: 'order_items_daily' },
    }).addResourceDependency(catalog);

    const workflow = new glue.CfnWorkflow(this, 'NightlyWorkflow', {
      name: 'threadline-nightly',
      description: '02:00 KST: extract with quality gate, then crawl the lake',
      maxConcurrentRuns: 1,
    });
    const start = new glue.CfnTrigger(this, 'NightlyTrigger', {
      name: 'threadline-nightly-0200-kst',
      workflowName: workflow.ref,
      type: 'SCHEDULED',
      schedule: NIGHTLY_SCHEDULE_UTC,
      startOnCreation: true,
      actions: [{ jobName: job.ref }],
    });
    const afterExtract = new glue.CfnTrigger(this, 'CrawlAfterExtract', {
      name: 'threadline-crawl-after-extract',
      workflowName: workflow.ref,
      type: 'CONDITIONAL',
      startOnCreation: true,
      predicate: { logical: 'AND', conditions: [{ logicalOperator: 'EQUALS', jobName: job.ref, state: 'SUCCEEDED' }] },
      actions: [{ crawlerName: crawler.ref }],
    });
    start.addResourceDependency(workflow);
    afterExtract.addResourceDependency(workflow);
  }
}
