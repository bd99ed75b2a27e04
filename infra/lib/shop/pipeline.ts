import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as cpactions from 'aws-cdk-lib/aws-codepipeline-actions';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

import { TIER_NAMES, type TierName } from './tiers.js';

export interface PipelineProps {
  connectionArn: string;
  /** owner/name on GitHub. */
  repository: string;
  branch: string;
  repositories: Record<TierName, ecr.IRepository>;
  services: Record<TierName, ecs.IBaseService>;
  slack: chatbot.ISlackChannelConfiguration;
  accessLogs: s3.IBucket;
}

/** File names the buildspec writes, one per ECS service (read by the ECS deploy actions). */
export function imageDefinitionsFile(tier: TierName): string {
  return `imagedefinitions-${tier}.json`;
}

/**
 * SYS-005 / QUR-001: GitHub (through a CodeStar connection) → CodeBuild (install, type-check,
 * lint, test, build and push the three images, from the repository's buildspec.yml) → ECS deploy
 * of web, API and worker; every execution's start, success and failure goes to the Slack channel.
 */
export class DeliveryPipeline extends Construct {
  readonly pipeline: codepipeline.Pipeline;
  readonly project: codebuild.PipelineProject;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    const [owner, repo] = props.repository.split('/');
    if (!owner || !repo) throw new Error(`githubRepository must be owner/name (got "${props.repository}")`);
    const key = new kms.Key(this, 'ArtifactKey', { enableKeyRotation: true, description: 'Threadline pipeline artifacts and build output' });
    const artifacts = new s3.Bucket(this, 'Artifacts', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'pipeline-artifacts/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(30) }],
    });

    const region = Stack.of(this).region;
    const account = Stack.of(this).account;
    this.project = new codebuild.PipelineProject(this, 'Build', {
      description: 'Threadline: install, type-check, lint, test, build and push the images (buildspec.yml)',
      buildSpec: codebuild.BuildSpec.fromSourceFilename('buildspec.yml'),
      encryptionKey: key,
      environment: {
        buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
        computeType: codebuild.ComputeType.MEDIUM,
        privileged: true, // docker build needs the Docker daemon
      },
      environmentVariables: {
        AWS_ACCOUNT_ID: { value: account },
        ECR_REGISTRY: { value: `${account}.dkr.ecr.${region}.amazonaws.com` },
        ...Object.fromEntries(TIER_NAMES.map((tier) => [`ECR_REPOSITORY_${tier.toUpperCase()}`, { value: props.repositories[tier].repositoryName }])),
      },
      logging: { cloudWatch: { logGroup: new logs.LogGroup(this, 'BuildLogs', { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.RETAIN }) } },
      timeout: Duration.minutes(60),
      cache: codebuild.Cache.local(codebuild.LocalCacheMode.DOCKER_LAYER, codebuild.LocalCacheMode.SOURCE),
    });
    for (const tier of TIER_NAMES) props.repositories[tier].grantPullPush(this.project);

    const source = new codepipeline.Artifact('Source');
    const built = new codepipeline.Artifact('ImageDefinitions');
    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: 'threadline',
      pipelineType: codepipeline.PipelineType.V2,
      artifactBucket: artifacts,
      restartExecutionOnUpdate: false,
      stages: [
        {
          stageName: 'Source',
          actions: [
            new cpactions.CodeStarConnectionsSourceAction({
              actionName: 'GitHub',
              connectionArn: props.connectionArn,
              owner,
              repo,
              branch: props.branch,
              output: source,
              triggerOnPush: true,
            }),
          ],
        },
        {
          stageName: 'Build',
          actions: [new cpactions.CodeBuildAction({ actionName: 'TestBuildPush', project: this.project, input: source, outputs: [built] })],
        },
        {
          stageName: 'Deploy',
          actions: TIER_NAMES.map(
            (tier) =>
              new cpactions.EcsDeployAction({
                actionName: `Deploy-${tier}`,
                service: props.services[tier],
                imageFile: built.atPath(imageDefinitionsFile(tier)),
                deploymentTimeout: Duration.minutes(30),
              }),
          ),
        },
      ],
    });
    this.pipeline.notifyOn('Slack', props.slack, {
      notificationRuleName: 'threadline-pipeline',
      events: [
        codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_STARTED,
        codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_SUCCEEDED,
        codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED,
        codepipeline.PipelineNotificationEvents.MANUAL_APPROVAL_NEEDED,
      ],
    });
  }
}
