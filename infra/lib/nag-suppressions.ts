import { Validations, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Every cdk-nag (AwsSolutions) and CloudFormation-validation finding this design acknowledges,
 * with the reason it is right here. Anything not listed fails `cdk synth` and the infra tests.
 * Findings are acknowledged on the narrowest construct that produces them; only the wildcard
 * *action* families that CDK's own grant helpers emit are acknowledged stack-wide.
 */
interface Acknowledgement {
  /** Construct path below the stack, e.g. `Compute/webHostRole`; '' = the whole stack. */
  at: string;
  ids: string[];
  reason: string;
}

const GRANT_ACTION_WILDCARDS = [
  'AwsSolutions-IAM5[Action::s3:GetObject*]',
  'AwsSolutions-IAM5[Action::s3:GetBucket*]',
  'AwsSolutions-IAM5[Action::s3:List*]',
  'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
  'AwsSolutions-IAM5[Action::s3:Abort*]',
  'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
  'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
];
const GRANT_REASON =
  'Action families written by CDK grant helpers (grantRead/grantReadWrite/grantEncryptDecrypt): each statement is scoped to one named bucket or key; the wildcard only covers the variants of one verb (GetObjectVersion, ReEncryptFrom/To, …).';

const NETWORK: Acknowledgement[] = [
  { at: 'WebAlbSg', ids: ['AwsSolutions-EC23'], reason: 'The shop is public: the internet-facing web ALB must accept 443 (and 80, only to redirect to HTTPS) from anywhere; WAF filters what passes.' },
  { at: 'Vpc', ids: ['CloudFormation-Validate::W3010'], reason: 'The customer design (SYS-001) names the zones ap-northeast-2a and 2b; they come from cdk.json context, never from a lookup.' },
];

const SHOP: Acknowledgement[] = [
  { at: '', ids: GRANT_ACTION_WILDCARDS, reason: GRANT_REASON },
  ...['web', 'app'].flatMap((tier): Acknowledgement[] => [
    {
      at: `Compute/${tier}HostRole`,
      ids: ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]', 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/CloudWatchAgentServerPolicy]'],
      reason: 'AWS maintains these two policies for exactly this use: Session Manager access instead of SSH (SYS-003) and the CloudWatch agent (SYS-004); a hand copy would drift from what the agents need.',
    },
    {
      at: `Compute/${tier}HostRole/DefaultPolicy`,
      ids: ['AwsSolutions-IAM5[Action::ecs:Submit*]', 'AwsSolutions-IAM5[Resource::*]'],
      reason: 'The ECS container agent policy written by AsgCapacityProvider: ecs:Submit*/Poll/DiscoverPollEndpoint and ecr:GetAuthorizationToken take no resource ARN (documented by ECS); cluster-scoped actions are scoped to the cluster.',
    },
  ]),
  ...['web', 'api', 'worker'].flatMap((tier): Acknowledgement[] => [
    {
      at: `Compute/${tier}Task/ExecutionRole/DefaultPolicy`,
      ids: ['AwsSolutions-IAM5[Resource::*]'],
      reason: 'ecr:GetAuthorizationToken has no resource-level permissions; image pulls and secret reads are scoped to their repository and secrets.',
    },
    {
      at: `Compute/${tier}Task`,
      ids: ['AwsSolutions-ECS2'],
      reason: 'Plain environment holds only non-secret settings (ports, tier, time zone, API URL); every secret (database credentials, session/pseudonym/webhook keys) is injected from Secrets Manager.',
    },
  ]),
  {
    at: 'Database/Postgres/MonitoringRole',
    ids: ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]'],
    reason: 'The role RDS enhanced monitoring requires; AWS documents this managed policy as the only supported one.',
  },
  {
    at: 'Database/Plan/Postgres/Role',
    ids: ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]'],
    reason: 'AWS Backup service role policy maintained by AWS for backup jobs (DAR-001); it follows new RDS backup features (continuous backup).',
  },
  {
    at: 'Database/Postgres',
    ids: ['AwsSolutions-RDS11'],
    reason: 'The design pins PostgreSQL to 5432 and the database security group opens only that port, to the application tier and the Glue extract; a non-default port adds nothing behind private subnets.',
  },
  {
    at: 'Database/Postgres/Secret',
    ids: ['AwsSolutions-SMG4'],
    reason: 'Tasks read the password at start: rotating it underneath running tasks breaks their connections. Rotation is a runbook step (docs/deploy-aws.md: rotate, then force a new ECS deployment).',
  },
  ...['THREADLINE_SESSION_SECRET', 'THREADLINE_PSEUDONYM_KEY', 'THREADLINE_PAYMENT_WEBHOOK_SECRET'].map((name) => ({
    at: `Compute/${name}`,
    ids: ['AwsSolutions-SMG4'],
    reason: `${name} is an application key, not a credential of an AWS service: rotating it invalidates sessions or pseudonyms, so it is rotated deliberately (docs/deploy-aws.md), not on a timer.`,
  })),
  {
    at: 'Delivery/Build/Role/DefaultPolicy',
    ids: [
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::<DeliveryArtifactsAC79D864.Arn>/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codebuild:ap-northeast-2:<AWS::AccountId>:report-group/<DeliveryBuildD765F282>-*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:ap-northeast-2:<AWS::AccountId>:log-group:/aws/codebuild/<DeliveryBuildD765F282>:*]',
    ],
    reason: 'CodeBuild needs ecr:GetAuthorizationToken (no resource ARNs), objects of the pipeline artifact bucket, and its own report groups and log streams, all named after this one project.',
  },
  {
    at: 'Delivery/Pipeline/Role/DefaultPolicy',
    ids: ['AwsSolutions-IAM5[Resource::<DeliveryArtifactsAC79D864.Arn>/*]'],
    reason: 'The pipeline reads and writes objects of its own artifact bucket only.',
  },
  {
    at: 'Delivery/Pipeline/Source/GitHub/CodePipelineActionRole/DefaultPolicy',
    ids: ['AwsSolutions-IAM5[Resource::<DeliveryArtifactsAC79D864.Arn>/*]'],
    reason: 'The source action writes the checked-out sources into the pipeline artifact bucket only.',
  },
  ...['web', 'api', 'worker'].map((tier) => ({
    at: `Delivery/Pipeline/Deploy/Deploy-${tier}/CodePipelineActionRole/DefaultPolicy`,
    ids: ['AwsSolutions-IAM5[Resource::*]', 'AwsSolutions-IAM5[Resource::<DeliveryArtifactsAC79D864.Arn>/*]'],
    reason: 'The ECS deploy action policy written by CDK: ecs:DescribeServices/RegisterTaskDefinition/DescribeTaskDefinitions take no resource ARNs; iam:PassRole is limited to ECS tasks; artifacts come from the pipeline bucket.',
  })),
];

const DATA: Acknowledgement[] = [
  { at: '', ids: GRANT_ACTION_WILDCARDS, reason: GRANT_REASON },
  {
    at: 'FirehoseRole/DefaultPolicy',
    ids: ['AwsSolutions-IAM5[Resource::<LakeRawB74DE66C.Arn>/*]'],
    reason: 'Firehose writes objects under dynamic dt=/hour= prefixes of the raw lake bucket, which cannot be listed in advance.',
  },
  {
    at: 'GlueRole',
    ids: ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSGlueServiceRole]'],
    reason: 'The Glue service role policy AWS documents for crawlers and jobs (ENI management in the VPC, CloudWatch logs, catalog); data access is granted separately per bucket.',
  },
  {
    at: 'GlueRole/DefaultPolicy',
    ids: [
      'AwsSolutions-IAM5[Resource::<LakeRawB74DE66C.Arn>/*]',
      'AwsSolutions-IAM5[Resource::<LakeCurated93BF43BC.Arn>/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-ap-northeast-2/*]',
    ],
    reason: 'The crawler reads every partition of the raw and curated buckets and the job rewrites dt= partitions of the curated one; the job script is a CDK asset in the bootstrap bucket.',
  },
  {
    at: 'WorkerTaskRole/Policy',
    ids: ['AwsSolutions-IAM5[Resource::<LakeRawB74DE66C.Arn>/surveys/*]'],
    reason: 'The worker reads uploaded survey spreadsheets, which staff name freely, under surveys/ only.',
  },
  {
    at: 'SurveyUpload/ServiceRole',
    ids: ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]'],
    reason: 'Basic Lambda logging policy (CloudWatch Logs only).',
  },
  {
    at: 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Role',
    ids: ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]'],
    reason: 'CDK-provided custom resource that configures the .xlsx bucket notification; it only needs basic logging.',
  },
  {
    at: 'ShopDatabase',
    ids: ['CloudFormation-Validate::W3010'],
    reason: 'A Glue JDBC connection must name the zone of its subnet; it is the first application subnet, in a zone from cdk.json context.',
  },
  {
    at: 'ClickstreamDelivery',
    ids: ['AwsSolutions-KDF1'],
    reason: 'Firehose server-side encryption applies to Direct PUT streams only; with a Kinesis source the data is encrypted at rest in the stream (KMS) and in S3 (SSE-S3), and in transit with TLS.',
  },
];

function find(stack: Stack, at: string): IConstruct {
  if (at === '') return stack;
  const found = at.split('/').reduce<IConstruct | undefined>((node, id) => node?.node.tryFindChild(id), stack);
  if (!found) throw new Error(`cdk-nag acknowledgement points at ${stack.stackName}/${at}, which does not exist; update lib/nag-suppressions.ts`);
  return found;
}

function apply(stack: Stack, list: readonly Acknowledgement[]): void {
  for (const entry of list) {
    const construct = find(stack, entry.at);
    for (const id of entry.ids) Validations.of(construct).acknowledge({ id, reason: entry.reason });
  }
}

/** Applies the acknowledgements above to the three stacks. */
export function acknowledgeFindings(stacks: { network: Stack; shop: Stack; data: Stack }): void {
  apply(stacks.network, NETWORK);
  apply(stacks.shop, SHOP);
  apply(stacks.data, DATA);
}
