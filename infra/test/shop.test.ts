import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Match } from 'aws-cdk-lib/assertions';

import { CLOUDWATCH_AGENT_CONFIG } from '../lib/shop/cloudwatch-agent.js';
import { MANAGED_RULE_GROUPS, RATE_LIMIT_PER_5_MIN } from '../lib/shop/edge.js';
import { resourcesOf, synthesize } from './synth.js';

const { shop } = synthesize();

/** The one resource of a type whose logical id starts with `prefix`. */
function only(type: string, prefix: string): Record<string, unknown> {
  const found = resourcesOf(shop, type).filter(([id]) => id.startsWith(prefix));
  assert.equal(found.length, 1, `one ${type} named ${prefix}*, found ${found.map(([id]) => id).join(', ')}`);
  return found[0]?.[1] ?? {};
}

describe('load balancers, TLS and DNS (SYS-001, SER-001)', () => {
  it('has an internet-facing web ALB and an internal application ALB', () => {
    shop.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 2);
    assert.equal(only('AWS::ElasticLoadBalancingV2::LoadBalancer', 'ComputeWebAlb').Scheme, 'internet-facing');
    assert.equal(only('AWS::ElasticLoadBalancingV2::LoadBalancer', 'ComputeAppAlb').Scheme, 'internal');
  });

  it('serves HTTPS with the ACM certificate and redirects HTTP to HTTPS permanently', () => {
    shop.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('^DomainCertificate') } }],
      SslPolicy: Match.stringLikeRegexp('TLS13'),
    });
    shop.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      LoadBalancerArn: { Ref: Match.stringLikeRegexp('^ComputeWebAlb') },
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    });
  });

  it('validates the certificate through DNS in the hosted zone and points the shop name at the web ALB', () => {
    shop.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'shop.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'shop.example.com', HostedZoneId: 'Z0000000000EXAMPLE' }],
    });
    shop.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'shop.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0000000000EXAMPLE',
      AliasTarget: { DNSName: Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
    });
  });

  it('logs both ALBs to the access-log bucket', () => {
    for (const prefix of ['ComputeWebAlb', 'ComputeAppAlb']) {
      const attributes = only('AWS::ElasticLoadBalancingV2::LoadBalancer', prefix).LoadBalancerAttributes as Array<{ Key: string; Value: unknown }>; // CloudFormation attribute list
      assert.ok(attributes.some((entry) => entry.Key === 'access_logs.s3.enabled' && entry.Value === 'true'), prefix);
    }
  });
});

describe('web application firewall (SER-001)', () => {
  it('puts the managed SQLi, common and known-bad-inputs groups and a rate-based rule on one regional web ACL', () => {
    shop.resourceCountIs('AWS::WAFv2::WebACL', 1);
    const acl = only('AWS::WAFv2::WebACL', 'FirewallWebAcl');
    assert.equal(acl.Scope, 'REGIONAL');
    const rules = acl.Rules as Array<{ Name: string; Statement: Record<string, { Name?: string; VendorName?: string; Limit?: number; AggregateKeyType?: string }> }>; // CloudFormation rule list
    const managed = rules.flatMap((rule) => (rule.Statement.ManagedRuleGroupStatement ? [`${rule.Statement.ManagedRuleGroupStatement.VendorName}/${rule.Statement.ManagedRuleGroupStatement.Name}`] : []));
    assert.deepEqual(managed, MANAGED_RULE_GROUPS.map((name) => `AWS/${name}`));
    assert.ok(managed.includes('AWS/AWSManagedRulesSQLiRuleSet'));
    const rate = rules.find((rule) => rule.Statement.RateBasedStatement)?.Statement.RateBasedStatement;
    assert.deepEqual({ limit: rate?.Limit, key: rate?.AggregateKeyType }, { limit: RATE_LIMIT_PER_5_MIN, key: 'IP' });
  });

  it('associates the web ACL with the web ALB, not the internal one', () => {
    shop.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    shop.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { ResourceArn: { Ref: Match.stringLikeRegexp('^ComputeWebAlb') } });
  });
});

describe('ECS on EC2 (SYS-002, SYS-003, SYS-005)', () => {
  it('runs two Auto Scaling groups of m5.large, 2 to 6 instances, as capacity providers with managed target tracking', () => {
    const groups = resourcesOf(shop, 'AWS::AutoScaling::AutoScalingGroup');
    assert.equal(groups.length, 2);
    for (const [, props] of groups) assert.deepEqual([props.MinSize, props.MaxSize], ['2', '6']);
    const templates = resourcesOf(shop, 'AWS::EC2::LaunchTemplate');
    assert.equal(templates.length, 2);
    for (const [, props] of templates) assert.equal((props.LaunchTemplateData as { InstanceType: string }).InstanceType, 'm5.large'); // CloudFormation LaunchTemplateData
    const providers = resourcesOf(shop, 'AWS::ECS::CapacityProvider');
    assert.equal(providers.length, 2);
    for (const [, props] of providers) {
      const provider = props.AutoScalingGroupProvider as { ManagedScaling: { Status: string; TargetCapacity: number } }; // CloudFormation shape
      assert.equal(provider.ManagedScaling.Status, 'ENABLED');
      assert.ok(provider.ManagedScaling.TargetCapacity > 0 && provider.ManagedScaling.TargetCapacity <= 100);
    }
    shop.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: [{ Ref: Match.stringLikeRegexp('^ComputewebCapacityProvider') }, { Ref: Match.stringLikeRegexp('^ComputeappCapacityProvider') }],
    });
  });

  it('requires IMDSv2, uses no SSH key and gives hosts Session Manager and the CloudWatch agent', () => {
    for (const [id, props] of resourcesOf(shop, 'AWS::EC2::LaunchTemplate')) {
      const data = props.LaunchTemplateData as Record<string, unknown> & { MetadataOptions?: { HttpTokens?: string } }; // CloudFormation LaunchTemplateData
      assert.equal(data.MetadataOptions?.HttpTokens, 'required', id);
      assert.equal(data.KeyName, undefined, `${id} must not name an SSH key pair`);
      assert.match(JSON.stringify(data.UserData), /amazon-cloudwatch-agent-ctl -a fetch-config/, `${id} starts the CloudWatch agent`);
    }
    for (const prefix of ['ComputewebHostRole', 'ComputeappHostRole']) {
      const policies = JSON.stringify(only('AWS::IAM::Role', prefix).ManagedPolicyArns);
      assert.match(policies, /AmazonSSMManagedInstanceCore/);
      assert.match(policies, /CloudWatchAgentServerPolicy/);
    }
  });

  it('keeps ECR repositories for web, api and worker, scanned on push', () => {
    const repositories = resourcesOf(shop, 'AWS::ECR::Repository');
    assert.deepEqual(repositories.map(([, props]) => props.RepositoryName).sort(), ['threadline/api', 'threadline/web', 'threadline/worker']);
    for (const [, props] of repositories) assert.deepEqual(props.ImageScanningConfiguration, { ScanOnPush: true });
  });

  it('runs web, API and worker services on EC2 capacity with read-only root filesystems and health checks', () => {
    const services = resourcesOf(shop, 'AWS::ECS::Service');
    assert.deepEqual(services.map(([, props]) => props.ServiceName).sort(), ['threadline-api', 'threadline-web', 'threadline-worker']);
    for (const [, props] of services) assert.ok(Array.isArray(props.CapacityProviderStrategy), 'placed through a capacity provider');
    for (const [id, props] of resourcesOf(shop, 'AWS::ECS::TaskDefinition')) {
      assert.deepEqual(props.RequiresCompatibilities, ['EC2'], id);
      const [container] = props.ContainerDefinitions as Array<Record<string, unknown> & { HealthCheck?: { Command: string[] } }>; // CloudFormation container list
      assert.equal(container?.ReadonlyRootFilesystem, true, id);
      assert.deepEqual(container?.HealthCheck?.Command, ['CMD', 'node', 'deploy/docker/healthcheck.mjs'], id);
      assert.ok(!JSON.stringify(container?.Environment).includes('PASSWORD'), `${id} keeps passwords out of plain environment`);
    }
  });

  it('scales the web and API services by target tracking on CPU', () => {
    const policies = resourcesOf(shop, 'AWS::ApplicationAutoScaling::ScalingPolicy').filter(
      ([, props]) => (props.TargetTrackingScalingPolicyConfiguration as { PredefinedMetricSpecification?: { PredefinedMetricType?: string } } | undefined)?.PredefinedMetricSpecification?.PredefinedMetricType === 'ECSServiceAverageCPUUtilization', // CloudFormation shape
    );
    assert.equal(policies.length, 2);
  });

  it('runs exactly one worker, never two during a deploy', () => {
    shop.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: 'threadline-worker',
      DesiredCount: 1,
      DeploymentConfiguration: Match.objectLike({ MaximumPercent: 100, MinimumHealthyPercent: 0 }),
    });
  });
});

describe('database and backups (DAR-001)', () => {
  it('runs PostgreSQL 15 Multi-AZ on db.m5.large with 100 GB encrypted storage and credentials in Secrets Manager', () => {
    shop.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      EngineVersion: Match.stringLikeRegexp('^15'),
      DBInstanceClass: 'db.m5.large',
      MultiAZ: true,
      AllocatedStorage: '100',
      StorageEncrypted: true,
      DeletionProtection: true,
      MasterUserPassword: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: Match.stringLikeRegexp('Secret') }, ':SecretString:password::}}']] },
    });
    shop.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', { TargetType: 'AWS::RDS::DBInstance' });
  });

  it('backs up daily at 02:00 Asia/Seoul with continuous backup (PITR), 7-day retention, into its own vault', () => {
    shop.resourceCountIs('AWS::Backup::BackupVault', 1);
    shop.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [
          Match.objectLike({
            ScheduleExpression: 'cron(0 2 * * ? *)',
            ScheduleExpressionTimezone: 'Asia/Seoul',
            EnableContinuousBackup: true,
            Lifecycle: { DeleteAfterDays: 7 },
            TargetBackupVault: Match.anyValue(),
          }),
        ],
      },
    });
    shop.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: [Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp(':db:')])]) })] }),
    });
  });
});

describe('monitoring to Slack (SYS-004)', () => {
  it('stores a CloudWatch agent configuration collecting CPU, memory and network', () => {
    const parameter = only('AWS::SSM::Parameter', 'ComputeCloudWatchAgentConfig');
    const config = JSON.parse(String(parameter.Value)) as typeof CLOUDWATCH_AGENT_CONFIG; // written from CLOUDWATCH_AGENT_CONFIG
    assert.deepEqual(Object.keys(config.metrics.metrics_collected).filter((key) => ['cpu', 'mem', 'net'].includes(key)).sort(), ['cpu', 'mem', 'net']);
  });

  it('alarms on host CPU, memory and network of both groups, ALB errors and latency, and the database, all to the SNS topic', () => {
    const alarms = resourcesOf(shop, 'AWS::CloudWatch::Alarm');
    const names = alarms.map(([, props]) => String(props.AlarmName));
    for (const tier of ['web', 'app']) {
      for (const metric of ['host-cpu', 'host-memory', 'host-network-out', 'alb-5xx', 'alb-latency']) assert.ok(names.includes(`threadline-${tier}-${metric}`), `${tier}-${metric}`);
    }
    assert.ok(names.includes('threadline-db-cpu') && names.includes('threadline-db-free-storage'));
    const agentMetrics = alarms.filter(([, props]) => props.Namespace === 'CWAgent').map(([, props]) => props.MetricName);
    assert.deepEqual([...new Set(agentMetrics)].sort(), ['cpu_usage_active', 'mem_used_percent', 'net_bytes_sent']);
    for (const [id, props] of alarms) {
      assert.match(JSON.stringify(props.AlarmActions), /AlertsTopic/, `${id} notifies the alerts topic`);
      assert.match(JSON.stringify(props.OKActions), /AlertsTopic/, `${id} notifies recovery`);
    }
  });

  it('delivers the topic to Slack through AWS Chatbot', () => {
    shop.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T00000000',
      SlackChannelId: 'C00000000',
      SnsTopicArns: [{ Ref: Match.stringLikeRegexp('^AlertsTopic') }],
    });
    shop.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });
});

describe('delivery pipeline (SYS-005, QUR-001)', () => {
  it('goes GitHub connection → CodeBuild (buildspec.yml) → ECS deploy of web, api and worker', () => {
    const pipeline = only('AWS::CodePipeline::Pipeline', 'DeliveryPipeline');
    const stages = pipeline.Stages as Array<{ Name: string; Actions: Array<{ ActionTypeId: { Provider: string }; Configuration: Record<string, unknown> }> }>; // CloudFormation stage list
    assert.deepEqual(stages.map((stage) => stage.Name), ['Source', 'Build', 'Deploy']);
    assert.deepEqual(stages[0]?.Actions.map((action) => action.ActionTypeId.Provider), ['CodeStarSourceConnection']);
    assert.equal(stages[0]?.Actions[0]?.Configuration.FullRepositoryId, 'threadline/threadline');
    assert.deepEqual(stages[1]?.Actions.map((action) => action.ActionTypeId.Provider), ['CodeBuild']);
    const deploys = stages[2]?.Actions ?? [];
    assert.deepEqual(deploys.map((action) => action.ActionTypeId.Provider), ['ECS', 'ECS', 'ECS']);
    assert.deepEqual(deploys.map((action) => action.Configuration.FileName).sort(), ['imagedefinitions-api.json', 'imagedefinitions-web.json', 'imagedefinitions-worker.json']);
    shop.hasResourceProperties('AWS::CodeBuild::Project', { Source: { Type: 'CODEPIPELINE', BuildSpec: 'buildspec.yml' }, Environment: Match.objectLike({ PrivilegedMode: true }) });
  });

  it('notifies the Slack channel of pipeline start, success and failure', () => {
    shop.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      EventTypeIds: Match.arrayWith([
        'codepipeline-pipeline-pipeline-execution-succeeded',
        'codepipeline-pipeline-pipeline-execution-failed',
      ]),
      Targets: [{ TargetType: 'AWSChatbotSlack', TargetAddress: Match.anyValue() }],
    });
  });
});
