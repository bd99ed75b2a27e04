/**
 * The cost model: prices the resources of the synthesized CloudFormation templates with the
 * published on-demand prices kept in infra/pricing/<region>.json, plus the usage assumptions in the
 * same file for what is billed by volume. `threadline infra cost` prints the result.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Pricing {
  region: string;
  currency: string;
  asOf: string;
  hoursPerMonth: number;
  prices: {
    ec2Hourly: Record<string, number>;
    rdsPostgresHourly: Record<string, number>;
  } & Record<string, number | Record<string, number>>;
  usage: Record<string, number | string>;
  customerEstimateUsd: number;
}

// A type alias, not an interface, so that lines pass as Record<string, unknown> to printRows.
export type CostLine = {
  service: string;
  item: string;
  quantity: number;
  unit: string;
  unitPrice: number;
  monthlyUsd: number;
};

export interface CostEstimate {
  region: string;
  asOf: string;
  scenario: 'baseline' | 'peak';
  lines: CostLine[];
  totalUsd: number;
  customerEstimateUsd: number;
  differenceUsd: number;
}

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}
export interface CfnTemplate {
  Resources?: Record<string, CfnResource>;
}

export const PRICING_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'pricing');

/** Reads and checks infra/pricing/<region>.json. */
export function loadPricing(region = 'ap-northeast-2', dir = PRICING_DIR): Pricing {
  const file = path.join(dir, `${region}.json`);
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${file}: not a JSON object`);
  for (const key of ['prices', 'usage', 'hoursPerMonth', 'customerEstimateUsd'] as const) {
    if (!(key in parsed)) throw new Error(`${file}: "${key}" is missing`);
  }
  return parsed as Pricing; // required keys checked above; each price is checked where it is used
}

function price(pricing: Pricing, key: string): number {
  const value = pricing.prices[key];
  if (typeof value !== 'number') throw new Error(`pricing: "prices.${key}" is missing or not a number`);
  return value;
}

function usage(pricing: Pricing, key: string): number {
  const value = pricing.usage[key];
  if (typeof value !== 'number') throw new Error(`pricing: "usage.${key}" is missing or not a number`);
  return value;
}

function tablePrice(table: Record<string, number>, key: string, what: string): number {
  const value = table[key];
  if (value === undefined) throw new Error(`pricing: no ${what} price for "${key}"; add it to infra/pricing`);
  return value;
}

const round = (value: number): number => Math.round(value * 100) / 100;

function resources(templates: readonly CfnTemplate[], type: string): Array<[string, Record<string, unknown>]> {
  return templates.flatMap((template) =>
    Object.entries(template.Resources ?? {})
      .filter(([, resource]) => resource.Type === type)
      .map(([id, resource]): [string, Record<string, unknown>] => [id, resource.Properties ?? {}]),
  );
}

const asNumber = (value: unknown): number => (typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN);

/**
 * Prices the templates. `baseline` counts each Auto Scaling group at its minimum, `peak` at its
 * maximum.
 *
 * @example
 * const estimate = estimateCost(templates, loadPricing(), 'baseline');
 * console.log(estimate.totalUsd, estimate.customerEstimateUsd);
 */
export function estimateCost(templates: readonly CfnTemplate[], pricing: Pricing, scenario: 'baseline' | 'peak' = 'baseline'): CostEstimate {
  const hours = pricing.hoursPerMonth;
  const lines: CostLine[] = [];
  const add = (service: string, item: string, quantity: number, unit: string, unitPrice: number): void => {
    if (quantity > 0) lines.push({ service, item, quantity: round(quantity), unit, unitPrice, monthlyUsd: round(quantity * unitPrice) });
  };

  // EC2 hosts: each Auto Scaling group's launch template × its size.
  const launchTemplates = new Map(resources(templates, 'AWS::EC2::LaunchTemplate'));
  let hosts = 0;
  for (const [id, group] of resources(templates, 'AWS::AutoScaling::AutoScalingGroup')) {
    const templateRef = (group.LaunchTemplate as { LaunchTemplateId?: { Ref?: string } } | undefined)?.LaunchTemplateId?.Ref; // CloudFormation reference shape
    const data = (launchTemplates.get(templateRef ?? '')?.LaunchTemplateData ?? {}) as { InstanceType?: string; BlockDeviceMappings?: Array<{ Ebs?: { VolumeSize?: number } }> }; // CloudFormation LaunchTemplateData
    const type = data.InstanceType;
    if (!type) throw new Error(`Auto Scaling group ${id}: cannot find its instance type`);
    const count = asNumber(scenario === 'peak' ? group.MaxSize : group.MinSize);
    hosts += count;
    add('EC2', `${id} ${count} × ${type}`, count * hours, 'instance-hours', tablePrice(pricing.prices.ec2Hourly, type, 'EC2'));
    const ebsGb = (data.BlockDeviceMappings ?? []).reduce((sum, mapping) => sum + (mapping.Ebs?.VolumeSize ?? 0), 0);
    add('EBS', `${id} root volumes gp3`, count * ebsGb, 'GB-month', price(pricing, 'ebsGp3GbMonth'));
  }

  const nats = resources(templates, 'AWS::EC2::NatGateway').length;
  add('VPC', `${nats} NAT gateways`, nats * hours, 'gateway-hours', price(pricing, 'natGatewayHourly'));
  add('VPC', 'NAT data processed', nats > 0 ? usage(pricing, 'natGatewayGb') : 0, 'GB', price(pricing, 'natGatewayPerGb'));

  const albs = resources(templates, 'AWS::ElasticLoadBalancingV2::LoadBalancer').length;
  add('ELB', `${albs} application load balancers`, albs * hours, 'ALB-hours', price(pricing, 'albHourly'));
  add('ELB', 'load balancer capacity units', albs * usage(pricing, 'albLcuPerAlb') * hours, 'LCU-hours', price(pricing, 'albLcuHourly'));

  for (const [id, db] of resources(templates, 'AWS::RDS::DBInstance')) {
    const type = String(db.DBInstanceClass);
    const factor = db.MultiAZ === true ? asNumber(pricing.prices.rdsMultiAzFactor) : 1;
    const label = db.MultiAZ === true ? 'Multi-AZ' : 'Single-AZ';
    add('RDS', `${id} ${type} PostgreSQL ${label}`, hours * factor, 'instance-hours', tablePrice(pricing.prices.rdsPostgresHourly, type, 'RDS'));
    add('RDS', `${id} gp3 storage ${label}`, asNumber(db.AllocatedStorage) * factor, 'GB-month', price(pricing, 'rdsGp3GbMonth'));
  }
  if (resources(templates, 'AWS::Backup::BackupPlan').length > 0) add('Backup', 'backup storage (continuous + daily)', usage(pricing, 'backupGb'), 'GB-month', price(pricing, 'backupWarmGbMonth'));

  for (const [id, acl] of resources(templates, 'AWS::WAFv2::WebACL')) {
    const rules = Array.isArray(acl.Rules) ? acl.Rules.length : 0;
    add('WAF', `${id} web ACL`, 1, 'ACL-month', price(pricing, 'wafWebAclMonth'));
    add('WAF', `${id} ${rules} rules`, rules, 'rule-month', price(pricing, 'wafRuleMonth'));
    add('WAF', 'requests inspected', usage(pricing, 'wafMillionRequests'), 'million requests', price(pricing, 'wafPerMillionRequests'));
  }
  const zones = new Set(resources(templates, 'AWS::Route53::RecordSet').map(([, record]) => JSON.stringify(record.HostedZoneId))).size;
  add('Route 53', `${zones} hosted zone(s)`, zones, 'zone-month', price(pricing, 'route53HostedZoneMonth'));
  add('Route 53', 'DNS queries', zones > 0 ? usage(pricing, 'route53MillionQueries') : 0, 'million queries', price(pricing, 'route53PerMillionQueries'));

  add('KMS', 'customer managed keys', resources(templates, 'AWS::KMS::Key').length, 'key-month', price(pricing, 'kmsKeyMonth'));
  add('Secrets Manager', 'secrets', resources(templates, 'AWS::SecretsManager::Secret').length, 'secret-month', price(pricing, 'secretMonth'));
  add('CloudWatch', 'alarms', resources(templates, 'AWS::CloudWatch::Alarm').length, 'alarm-month', price(pricing, 'cloudwatchAlarmMonth'));
  add('CloudWatch', 'agent custom metrics', hosts * usage(pricing, 'cloudwatchAgentMetricsPerHost'), 'metric-month', price(pricing, 'cloudwatchCustomMetricMonth'));
  add('CloudWatch', 'log ingestion', usage(pricing, 'cloudwatchLogsGb'), 'GB', price(pricing, 'cloudwatchLogsIngestPerGb'));

  const shards = resources(templates, 'AWS::Kinesis::Stream').reduce((sum, [, stream]) => sum + (asNumber(stream.ShardCount) || 1), 0);
  add('Kinesis', `${shards} shard(s)`, shards * hours, 'shard-hours', price(pricing, 'kinesisShardHourly'));
  add('Kinesis', 'PUT payload units', shards > 0 ? usage(pricing, 'kinesisMillionPutUnits') : 0, 'million units', price(pricing, 'kinesisPerMillionPutUnits'));
  const firehoses = resources(templates, 'AWS::KinesisFirehose::DeliveryStream');
  const isDynamic = firehoses.some(([, stream]) => JSON.stringify(stream.ExtendedS3DestinationConfiguration ?? {}).includes('"DynamicPartitioningConfiguration":{"Enabled":true'));
  add('Firehose', 'ingested', firehoses.length > 0 ? usage(pricing, 'clickstreamGb') : 0, 'GB', price(pricing, 'firehosePerGb'));
  add('Firehose', 'dynamic partitioning', isDynamic ? usage(pricing, 'clickstreamGb') : 0, 'GB', price(pricing, 'firehoseDynamicPartitioningPerGb'));
  add('Firehose', 'dynamic partitioning objects', isDynamic ? usage(pricing, 'firehoseObjectsThousands') : 0, 'thousand objects', price(pricing, 'firehoseDynamicPartitioningPer1000Objects'));

  add('S3', 'lake, logs and artifacts', resources(templates, 'AWS::S3::Bucket').length > 0 ? usage(pricing, 'lakeGb') : 0, 'GB-month', price(pricing, 's3StandardGbMonth'));
  const jobDpus = resources(templates, 'AWS::Glue::Job').reduce((sum, [, job]) => sum + (asNumber(job.NumberOfWorkers) || 2), 0);
  const runs = usage(pricing, 'glueRunsPerMonth');
  add('Glue', 'ETL job (G.1X workers)', (jobDpus * usage(pricing, 'glueJobMinutesPerRun') * runs) / 60, 'DPU-hours', price(pricing, 'glueDpuHour'));
  const crawlers = resources(templates, 'AWS::Glue::Crawler').length;
  add('Glue', 'crawler', (crawlers * 2 * usage(pricing, 'glueCrawlerMinutesPerRun') * runs) / 60, 'DPU-hours', price(pricing, 'glueDpuHour'));
  add('Athena', 'data scanned', resources(templates, 'AWS::Athena::WorkGroup').length > 0 ? usage(pricing, 'athenaTbScanned') : 0, 'TB', price(pricing, 'athenaPerTbScanned'));
  add('ECR', 'image storage', resources(templates, 'AWS::ECR::Repository').length > 0 ? usage(pricing, 'ecrGb') : 0, 'GB-month', price(pricing, 'ecrGbMonth'));
  add('CodeBuild', 'build minutes (general1.medium)', resources(templates, 'AWS::CodeBuild::Project').length > 0 ? usage(pricing, 'codebuildMinutes') : 0, 'minutes', price(pricing, 'codebuildMediumPerMinute'));
  add('CodePipeline', 'V2 action minutes', resources(templates, 'AWS::CodePipeline::Pipeline').length > 0 ? usage(pricing, 'codepipelineActionMinutes') : 0, 'action-minutes', price(pricing, 'codepipelineV2PerActionMinute'));
  add('QuickSight', 'authors', resources(templates, 'AWS::QuickSight::DataSource').length > 0 ? usage(pricing, 'quicksightAuthors') : 0, 'author-month', price(pricing, 'quicksightAuthorMonth'));

  const totalUsd = round(lines.reduce((sum, line) => sum + line.monthlyUsd, 0));
  return {
    region: pricing.region,
    asOf: pricing.asOf,
    scenario,
    lines,
    totalUsd,
    customerEstimateUsd: pricing.customerEstimateUsd,
    differenceUsd: round(totalUsd - pricing.customerEstimateUsd),
  };
}

/** Synthesizes the app offline (context from cdk.json) and returns its templates. */
export async function synthesizeTemplates(): Promise<CfnTemplate[]> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { App } = await import('aws-cdk-lib');
  const { buildApp } = await import('./app.js');
  const { readCdkJsonContext } = await import('./settings.js');
  const outdir = mkdtempSync(path.join(tmpdir(), 'threadline-cost-'));
  try {
    const app = new App({ context: readCdkJsonContext(), outdir });
    buildApp(app);
    const assembly = app.synth();
    return assembly.stacks.map((stack) => stack.template as CfnTemplate); // cloud assembly templates are CloudFormation JSON
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
