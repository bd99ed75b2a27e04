import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';

import type { NetworkStack } from '../network-stack.js';
import { SUBNETS } from '../network-stack.js';
import { CLOUDWATCH_AGENT_CONFIG, cloudWatchAgentUserData } from './cloudwatch-agent.js';
import { repositoryName, TIER_NAMES, TIERS, type TierName } from './tiers.js';

export interface ComputeProps {
  network: NetworkStack;
  database: rds.DatabaseInstance;
  certificate: acm.ICertificate;
  alertsTopic: sns.ITopic;
  accessLogs: s3.IBucket;
  imageTag: string;
}

/** Instance size and bounds of both Auto Scaling groups (SYS-002). */
export const HOST_SCALING = { instanceType: 'm5.large', min: 2, max: 6 } as const;

/** Secrets the application reads from the environment (see packages/config/src/secrets.ts). */
const APP_SECRETS = ['THREADLINE_SESSION_SECRET', 'THREADLINE_PSEUDONYM_KEY', 'THREADLINE_PAYMENT_WEBHOOK_SECRET'] as const;

/**
 * ECS on EC2 (SYS-002, SYS-005): one cluster, two Auto Scaling groups of m5.large (web hosts and
 * application hosts, 2–6 each) as capacity providers with managed target-tracking scaling, IMDSv2
 * only, no SSH key pair (Session Manager instead), the CloudWatch agent on every host; ECR
 * repositories scanned on push; the web service behind the internet-facing ALB (HTTPS, HTTP
 * redirects) and the API behind the internal ALB; the worker on the application hosts.
 */
export class Compute extends Construct {
  readonly cluster: ecs.Cluster;
  readonly repositories: Record<TierName, ecr.Repository>;
  readonly services: Record<TierName, ecs.Ec2Service>;
  readonly autoScalingGroups: { web: autoscaling.AutoScalingGroup; app: autoscaling.AutoScalingGroup };
  readonly webAlb: elbv2.ApplicationLoadBalancer;
  readonly appAlb: elbv2.ApplicationLoadBalancer;
  readonly agentConfig: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: ComputeProps) {
    super(scope, id);
    const { network } = props;
    const vpc = network.vpc;

    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    this.agentConfig = new ssm.StringParameter(this, 'CloudWatchAgentConfig', {
      parameterName: '/threadline/cloudwatch-agent',
      description: 'CloudWatch agent configuration of the Threadline ECS hosts (CPU, memory, network, disk)',
      stringValue: JSON.stringify(CLOUDWATCH_AGENT_CONFIG),
    });

    const hostGroup = (name: 'web' | 'app'): autoscaling.AutoScalingGroup => {
      const role = new iam.Role(this, `${name}HostRole`, {
        assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
        description: `Threadline ${name} ECS hosts: Session Manager, CloudWatch agent, ECS agent`,
        managedPolicies: [
          iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'),
          iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchAgentServerPolicy'),
        ],
      });
      this.agentConfig.grantRead(role);
      const userData = ec2.UserData.forLinux();
      userData.addCommands(...cloudWatchAgentUserData(this.agentConfig.parameterName));
      const template = new ec2.LaunchTemplate(this, `${name}LaunchTemplate`, {
        instanceType: new ec2.InstanceType(HOST_SCALING.instanceType),
        machineImage: ecs.EcsOptimizedImage.amazonLinux2023(),
        requireImdsv2: true,
        httpPutResponseHopLimit: 2, // the ECS agent in its container reaches IMDS through one extra hop
        role,
        userData,
        securityGroup: network.hostSg,
        blockDevices: [
          { deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(30, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) },
        ],
        detailedMonitoring: true,
      });
      const group = new autoscaling.AutoScalingGroup(this, `${name}Hosts`, {
        vpc,
        vpcSubnets: { subnetGroupName: name === 'web' ? SUBNETS.web : SUBNETS.app },
        launchTemplate: template,
        minCapacity: HOST_SCALING.min,
        maxCapacity: HOST_SCALING.max,
        notifications: [{ topic: props.alertsTopic }],
        healthChecks: autoscaling.HealthChecks.ec2({ gracePeriod: Duration.minutes(5) }),
        groupMetrics: [autoscaling.GroupMetrics.all()],
      });
      const provider = new ecs.AsgCapacityProvider(this, `${name}CapacityProvider`, {
        capacityProviderName: `threadline-${name}`,
        autoScalingGroup: group,
        enableManagedScaling: true,
        targetCapacityPercent: 90,
        enableManagedTerminationProtection: true,
        minimumScalingStepSize: 1,
        maximumScalingStepSize: 2,
      });
      this.cluster.addAsgCapacityProvider(provider);
      return group;
    };
    this.autoScalingGroups = { web: hostGroup('web'), app: hostGroup('app') };

    this.repositories = {} as Record<TierName, ecr.Repository>; // filled for every tier just below
    for (const tier of TIER_NAMES) {
      this.repositories[tier] = new ecr.Repository(this, `${tier}Repository`, {
        repositoryName: repositoryName(tier),
        imageScanOnPush: true,
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        encryption: ecr.RepositoryEncryption.KMS,
        removalPolicy: RemovalPolicy.RETAIN,
        lifecycleRules: [{ description: 'keep the last 50 images', maxImageCount: 50 }],
      });
    }

    this.webAlb = new elbv2.ApplicationLoadBalancer(this, 'WebAlb', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetGroupName: SUBNETS.public },
      securityGroup: network.webAlbSg,
      dropInvalidHeaderFields: true,
      deletionProtection: true,
    });
    this.webAlb.logAccessLogs(props.accessLogs, 'web-alb');
    this.appAlb = new elbv2.ApplicationLoadBalancer(this, 'AppAlb', {
      vpc,
      internetFacing: false,
      vpcSubnets: { subnetGroupName: SUBNETS.app },
      securityGroup: network.appAlbSg,
      dropInvalidHeaderFields: true,
      deletionProtection: true,
    });
    this.appAlb.logAccessLogs(props.accessLogs, 'app-alb');

    const databaseSecret = props.database.secret;
    if (!databaseSecret) throw new Error('the database must have generated credentials in Secrets Manager');
    const appSecrets = Object.fromEntries(
      APP_SECRETS.map((name) => [
        name,
        ecs.Secret.fromSecretsManager(
          new secretsmanager.Secret(this, name, {
            description: `Threadline ${name}, shared by every replica`,
            generateSecretString: { passwordLength: 48, excludePunctuation: true },
          }),
        ),
      ]),
    );
    const databaseEnvSecrets = {
      PGHOST: ecs.Secret.fromSecretsManager(databaseSecret, 'host'),
      PGPORT: ecs.Secret.fromSecretsManager(databaseSecret, 'port'),
      PGUSER: ecs.Secret.fromSecretsManager(databaseSecret, 'username'),
      PGPASSWORD: ecs.Secret.fromSecretsManager(databaseSecret, 'password'),
      PGDATABASE: ecs.Secret.fromSecretsManager(databaseSecret, 'dbname'),
    };

    const taskDefinition = (tier: TierName): ecs.Ec2TaskDefinition => {
      const spec = TIERS[tier];
      const definition = new ecs.Ec2TaskDefinition(this, `${tier}Task`, { networkMode: ecs.NetworkMode.AWS_VPC, family: `threadline-${tier}` });
      // The root filesystem is read-only; the data directory and /tmp are task volumes.
      definition.addVolume({ name: 'data' });
      definition.addVolume({ name: 'tmp' });
      const logGroup = new logs.LogGroup(this, `${tier}Logs`, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.RETAIN });
      const container = definition.addContainer(tier, {
        image: ecs.ContainerImage.fromEcrRepository(this.repositories[tier], props.imageTag),
        cpu: spec.cpu,
        memoryReservationMiB: spec.memoryMiB,
        readonlyRootFilesystem: true,
        user: '1000:1000',
        environment: {
          NODE_ENV: 'production',
          THREADLINE_TIER: tier,
          THREADLINE_HOST: '0.0.0.0',
          THREADLINE_DATA_DIR: '/data',
          THREADLINE_DEMO: '0',
          THREADLINE_TIME_ZONE: 'America/New_York',
          [spec.portEnv]: String(spec.port),
          ...(tier === 'web'
            ? { THREADLINE_API_URL: `http://${this.appAlb.loadBalancerDnsName}` }
            : // RDS forces TLS (rds.force_ssl); the RDS CA is not in Node's trust store, so the
              // connection is encrypted without verifying the certificate unless operators mount
              // the CA bundle and set PGSSLMODE=verify-full (docs/deploy-aws.md).
              { PGSSLMODE: 'no-verify' }),
        },
        secrets: tier === 'web' ? appSecrets : { ...appSecrets, ...databaseEnvSecrets },
        portMappings: [{ containerPort: spec.port, name: tier }],
        healthCheck: {
          command: ['CMD', 'node', 'deploy/docker/healthcheck.mjs'],
          interval: Duration.seconds(15),
          timeout: Duration.seconds(5),
          retries: 3,
          startPeriod: Duration.seconds(60),
        },
        logging: ecs.LogDrivers.awsLogs({ streamPrefix: tier, logGroup }),
        stopTimeout: Duration.seconds(30),
      });
      container.addMountPoints(
        { sourceVolume: 'data', containerPath: '/data', readOnly: false },
        { sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false },
      );
      return definition;
    };

    const service = (tier: TierName, hosts: 'web' | 'app', desiredCount: number): ecs.Ec2Service => {
      const isSingleton = tier === 'worker';
      return new ecs.Ec2Service(this, `${tier}Service`, {
        serviceName: `threadline-${tier}`,
        cluster: this.cluster,
        taskDefinition: taskDefinition(tier),
        desiredCount,
        capacityProviderStrategies: [{ capacityProvider: `threadline-${hosts}`, weight: 1 }],
        vpcSubnets: { subnetGroupName: hosts === 'web' ? SUBNETS.web : SUBNETS.app },
        securityGroups: [hosts === 'web' ? network.webTaskSg : network.appTaskSg],
        placementStrategies: [ecs.PlacementStrategy.spreadAcross(ecs.BuiltInAttributes.AVAILABILITY_ZONE)],
        circuitBreaker: { enable: true, rollback: true },
        // The worker owns the scheduler: never run two of it, even during a deploy.
        minHealthyPercent: isSingleton ? 0 : 50,
        maxHealthyPercent: isSingleton ? 100 : 200,
        enableExecuteCommand: false,
        healthCheckGracePeriod: isSingleton ? undefined : Duration.seconds(60),
      });
    };
    this.services = { web: service('web', 'web', 2), api: service('api', 'app', 2), worker: service('worker', 'app', 1) };
    // Services must wait for the capacity providers to be attached to the cluster.
    for (const tierService of Object.values(this.services)) tierService.node.addDependency(this.cluster);

    for (const tier of ['web', 'api'] as const) {
      const scaling = this.services[tier].autoScaleTaskCount({ minCapacity: 2, maxCapacity: 12 });
      scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
      scaling.scaleOnMemoryUtilization('Memory', { targetUtilizationPercent: 75 });
    }

    const https = this.webAlb.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [props.certificate],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: false,
    });
    https.addTargets('Web', {
      port: TIERS.web.port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.services.web.loadBalancerTarget({ containerName: 'web', containerPort: TIERS.web.port })],
      healthCheck: { path: '/healthz', healthyHttpCodes: '200', interval: Duration.seconds(15) },
      deregistrationDelay: Duration.seconds(30),
    });
    this.webAlb.addListener('HttpRedirect', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
    });
    const internal = this.appAlb.addListener('Http', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, open: false });
    internal.addTargets('Api', {
      port: TIERS.api.port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.services.api.loadBalancerTarget({ containerName: 'api', containerPort: TIERS.api.port })],
      healthCheck: { path: '/healthz', healthyHttpCodes: '200', interval: Duration.seconds(15) },
      deregistrationDelay: Duration.seconds(30),
    });
  }
}
