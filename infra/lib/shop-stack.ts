import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

import { ThreadlineStack, type ThreadlineStackProps } from './base-stack.js';
import type { NetworkStack } from './network-stack.js';
import { Alerts } from './shop/alerts.js';
import { Compute } from './shop/compute.js';
import { Database } from './shop/database.js';
import { Domain, WebFirewall } from './shop/edge.js';
import { Monitoring } from './shop/monitoring.js';
import { DeliveryPipeline } from './shop/pipeline.js';

export interface ShopStackProps extends ThreadlineStackProps {
  network: NetworkStack;
}

/**
 * The shop on AWS: the database and its backups, the ECS tiers behind their ALBs, the domain,
 * the web firewall, alarms to Slack and the delivery pipeline.
 */
export class ShopStack extends ThreadlineStack {
  readonly alerts: Alerts;
  readonly database: Database;
  readonly domain: Domain;
  readonly compute: Compute;
  readonly firewall: WebFirewall;
  readonly monitoring: Monitoring;
  readonly pipeline: DeliveryPipeline;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: ShopStackProps) {
    super(scope, id, props);
    const { settings } = this;
    // ALB and bucket access logs. ALB log delivery only supports SSE-S3 buckets.
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    this.alerts = new Alerts(this, 'Alerts', { slackWorkspaceId: settings.slackWorkspaceId, slackChannelId: settings.slackChannelId });
    this.database = new Database(this, 'Database', { vpc: props.network.vpc, securityGroup: props.network.dbSg });
    this.domain = new Domain(this, 'Domain', settings);
    this.compute = new Compute(this, 'Compute', {
      network: props.network,
      database: this.database.instance,
      certificate: this.domain.certificate,
      alertsTopic: this.alerts.topic,
      accessLogs: this.accessLogs,
      imageTag: settings.imageTag,
    });
    this.domain.pointAt(this.compute.webAlb);
    this.firewall = new WebFirewall(this, 'Firewall', this.compute.webAlb);
    this.monitoring = new Monitoring(this, 'Monitoring', {
      topic: this.alerts.topic,
      autoScalingGroups: this.compute.autoScalingGroups,
      webAlb: this.compute.webAlb,
      appAlb: this.compute.appAlb,
      database: this.database.instance,
    });
    this.pipeline = new DeliveryPipeline(this, 'Delivery', {
      connectionArn: settings.githubConnectionArn,
      repository: settings.githubRepository,
      branch: settings.githubBranch,
      repositories: this.compute.repositories,
      services: this.compute.services,
      slack: this.alerts.slack,
      accessLogs: this.accessLogs,
    });
  }
}
