import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

import { ThreadlineStack, type ThreadlineStackProps } from './base-stack.js';

/** Subnet group names; tests and the other stacks select subnets by these. */
export const SUBNETS = { public: 'public', web: 'web', app: 'app', db: 'db' } as const;

/** PostgreSQL's port: the only port the database security group opens. */
export const POSTGRES_PORT = 5432;

/**
 * The network of SYS-001: one VPC over two AZs, public subnets with an internet gateway and one
 * NAT gateway per AZ, and private subnets per AZ for the web tier, the application tier and the
 * database. Security groups chain web ALB → web tasks → app ALB → API tasks → database (5432 only).
 */
export class NetworkStack extends ThreadlineStack {
  readonly vpc: ec2.Vpc;
  readonly webAlbSg: ec2.SecurityGroup;
  readonly webTaskSg: ec2.SecurityGroup;
  readonly appAlbSg: ec2.SecurityGroup;
  readonly appTaskSg: ec2.SecurityGroup;
  readonly hostSg: ec2.SecurityGroup;
  readonly dbSg: ec2.SecurityGroup;
  readonly glueSg: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: ThreadlineStackProps) {
    super(scope, id, props);
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.RETAIN });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(this.settings.vpcCidr),
      maxAzs: 2,
      natGateways: 2,
      subnetConfiguration: [
        { name: SUBNETS.public, subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: SUBNETS.web, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: SUBNETS.app, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: SUBNETS.db, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup), trafficType: ec2.FlowLogTrafficType.ALL } },
    });

    const group = (name: string, description: string, allowAllOutbound = true): ec2.SecurityGroup =>
      new ec2.SecurityGroup(this, name, { vpc: this.vpc, description, allowAllOutbound });
    this.webAlbSg = group('WebAlbSg', 'Internet-facing web ALB: HTTPS (and HTTP for the redirect) from anywhere');
    this.webTaskSg = group('WebTaskSg', 'Web tier tasks: only from the web ALB');
    this.appAlbSg = group('AppAlbSg', 'Internal application ALB: only from the web tier tasks');
    this.appTaskSg = group('AppTaskSg', 'Application tier tasks (API, worker): only from the application ALB');
    this.hostSg = group('EcsHostSg', 'ECS container instances: no inbound at all (Session Manager, not SSH)');
    this.dbSg = group('DbSg', 'RDS PostgreSQL: 5432 from the application tier and the nightly Glue extract only', false);
    this.glueSg = group('GlueSg', 'Glue ETL workers of the 02:00 extract (Glue needs a self-referencing rule)');

    this.webAlbSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS from the internet');
    this.webAlbSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP, answered with a redirect to HTTPS');
    // ALB → task rules (web ALB → web tasks, app ALB → API tasks) are added where the services are
    // registered as targets, from their container ports; adding them here too would duplicate them.
    this.appAlbSg.addIngressRule(this.webTaskSg, ec2.Port.tcp(80), 'web tier to the API');
    this.dbSg.addIngressRule(this.appTaskSg, ec2.Port.tcp(POSTGRES_PORT), 'application tier to PostgreSQL');
    this.dbSg.addIngressRule(this.glueSg, ec2.Port.tcp(POSTGRES_PORT), 'nightly Glue extract to PostgreSQL');
    // Glue's Spark workers talk to each other on any port inside their own group.
    this.glueSg.addIngressRule(this.glueSg, ec2.Port.allTcp(), 'Glue workers among themselves');
  }
}
