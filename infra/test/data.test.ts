import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Match } from 'aws-cdk-lib/assertions';

import { NIGHTLY_SCHEDULE_UTC, ORDER_ITEMS_DQ_RULESET, PARTITION_KEY_QUERY } from '../lib/data-stack.js';
// The Lambda's pure parts run here exactly as in AWS.
import { buildRunTaskInput, MAX_SURVEY_BYTES, selectSurveyUploads } from '../lambda/survey-upload/uploads.mjs';
import { resourcesOf, synthesize } from './synth.js';

const { data } = synthesize();

describe('lake buckets (SYS-007)', () => {
  it('encrypts, versions and blocks public access on every bucket, and forces TLS', () => {
    const buckets = resourcesOf(data, 'AWS::S3::Bucket');
    assert.ok(buckets.length >= 4, 'raw, curated, query results and access logs');
    for (const [id, props] of buckets) {
      assert.ok(props.BucketEncryption, `${id} encrypted`);
      assert.deepEqual(props.VersioningConfiguration, { Status: 'Enabled' }, `${id} versioned`);
      assert.deepEqual(
        props.PublicAccessBlockConfiguration,
        { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        `${id} blocks public access`,
      );
    }
    const policies = resourcesOf(data, 'AWS::S3::BucketPolicy');
    assert.ok(policies.length >= buckets.length);
    for (const [id, props] of policies) assert.match(JSON.stringify(props.PolicyDocument), /"aws:SecureTransport":"false"/, `${id} denies plain HTTP`);
  });
});

describe('clickstream: Kinesis → Firehose with dynamic partitioning (5.1)', () => {
  it('has an encrypted Kinesis stream', () => {
    data.hasResourceProperties('AWS::Kinesis::Stream', { StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' } });
  });

  it('delivers from the stream to the raw bucket under dt=/hour= keys taken from the event', () => {
    data.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: { KinesisStreamARN: Match.anyValue(), RoleARN: Match.anyValue() },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: 'clickstream/dt=!{partitionKeyFromQuery:dt}/hour=!{partitionKeyFromQuery:hour}/',
        DynamicPartitioningConfiguration: { Enabled: true, RetryOptions: Match.anyValue() },
        ProcessingConfiguration: {
          Enabled: true,
          Processors: Match.arrayWith([
            Match.objectLike({ Type: 'RecordDeAggregation' }),
            { Type: 'MetadataExtraction', Parameters: Match.arrayWith([{ ParameterName: 'MetadataExtractionQuery', ParameterValue: PARTITION_KEY_QUERY }]) },
          ]),
        },
      }),
    });
  });

  it('buffers at least 64 MB, the minimum Firehose accepts with dynamic partitioning', () => {
    const [[, stream] = ['', {}]] = resourcesOf(data, 'AWS::KinesisFirehose::DeliveryStream');
    const hints = (stream.ExtendedS3DestinationConfiguration as { BufferingHints: { SizeInMBs: number } }).BufferingHints; // CloudFormation shape
    assert.ok(hints.SizeInMBs >= 64);
  });
});

describe('survey upload Lambda (5.2)', () => {
  it('fires on .xlsx objects created under surveys/ only', () => {
    data.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          Match.objectLike({
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: Match.arrayWith([{ Name: 'suffix', Value: '.xlsx' }, { Name: 'prefix', Value: 'surveys/' }]) } },
          }),
        ],
      },
    });
    data.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Runtime: Match.stringLikeRegexp('^nodejs') });
  });

  it('may start only the worker task definition', () => {
    data.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'ecs:RunTask', Resource: Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('workerTask') }) })]) },
    });
  });

  it('selects .xlsx uploads under surveys/, decodes keys and says why others are skipped', () => {
    const record = (key: string, size = 1000): unknown => ({ s3: { bucket: { name: 'raw' }, object: { key, size } } });
    const { accepted, skipped } = selectSurveyUploads({
      Records: [record('surveys/2026-11/How+did+you+find+us%3F.xlsx'), record('surveys/notes.csv'), record('other/a.xlsx'), record('surveys/big.XLSX', MAX_SURVEY_BYTES + 1)],
    });
    assert.deepEqual(accepted, [{ bucket: 'raw', key: 'surveys/2026-11/How did you find us?.xlsx', size: 1000 }]);
    assert.deepEqual(skipped.map((entry) => entry.reason), ['not an .xlsx spreadsheet', 'not under surveys/', 'larger than 20 MiB']);
    assert.deepEqual(selectSurveyUploads({ nothing: true }), { accepted: [], skipped: [] });
  });

  it('runs `threadline survey import s3://…` on the worker task in the app subnets', () => {
    const env = { CLUSTER_ARN: 'c', TASK_DEFINITION_ARN: 't', SUBNET_IDS: 's1,s2', SECURITY_GROUP_ID: 'sg', CONTAINER_NAME: 'worker', CAPACITY_PROVIDER: 'threadline-app' };
    const input = buildRunTaskInput({ bucket: 'raw', key: 'surveys/a.xlsx' }, env);
    assert.deepEqual(input.overrides.containerOverrides[0]?.command, ['survey', 'import', 's3://raw/surveys/a.xlsx']);
    assert.deepEqual(input.networkConfiguration.awsvpcConfiguration.subnets, ['s1', 's2']);
    assert.throws(() => buildRunTaskInput({ bucket: 'raw', key: 'k' }, { ...env, CLUSTER_ARN: undefined }), /CLUSTER_ARN is not set/);
  });
});

describe('Glue catalog, nightly ETL with data quality, workflow at 02:00 KST', () => {
  it('has a Glue database, a crawler over the lake and a Glue 4 ETL job reading the shop database', () => {
    data.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'threadline', Description: Match.anyValue() } });
    data.hasResourceProperties('AWS::Glue::Crawler', {
      DatabaseName: 'threadline',
      Targets: { S3Targets: Match.arrayWith([Match.objectLike({ Path: Match.objectLike({ 'Fn::Join': Match.anyValue() }) })]) },
      CrawlerSecurityConfiguration: 'threadline-glue',
    });
    data.hasResourceProperties('AWS::Glue::Job', {
      Command: Match.objectLike({ Name: 'glueetl', ScriptLocation: Match.anyValue() }),
      GlueVersion: '4.0',
      Connections: { Connections: ['threadline-postgres'] },
      DefaultArguments: Match.objectLike({ '--dq_ruleset': ORDER_ITEMS_DQ_RULESET }),
    });
    data.hasResourceProperties('AWS::Glue::Connection', { ConnectionInput: Match.objectLike({ ConnectionType: 'JDBC' }) });
  });

  it('declares the Data Quality ruleset on the order-items table', () => {
    data.hasResourceProperties('AWS::Glue::DataQualityRuleset', {
      Ruleset: ORDER_ITEMS_DQ_RULESET,
      TargetTable: { DatabaseName: 'threadline', TableName: 'order_items_daily' },
    });
    assert.match(ORDER_ITEMS_DQ_RULESET, /^Rules = \[[\s\S]*IsComplete "order_id"[\s\S]*\]$/);
  });

  it('starts the workflow at 02:00 KST (17:00 UTC) with the extract, then crawls when it succeeds', () => {
    assert.equal(NIGHTLY_SCHEDULE_UTC, 'cron(0 17 * * ? *)');
    data.resourceCountIs('AWS::Glue::Workflow', 1);
    data.hasResourceProperties('AWS::Glue::Trigger', {
      Type: 'SCHEDULED',
      Schedule: NIGHTLY_SCHEDULE_UTC,
      StartOnCreation: true,
      WorkflowName: Match.anyValue(),
      Actions: [{ JobName: Match.anyValue() }],
    });
    data.hasResourceProperties('AWS::Glue::Trigger', {
      Type: 'CONDITIONAL',
      Predicate: { Logical: 'AND', Conditions: [Match.objectLike({ State: 'SUCCEEDED', LogicalOperator: 'EQUALS' })] },
      Actions: [{ CrawlerName: Match.anyValue() }],
    });
  });

  it('ships a Glue job script that evaluates the ruleset before writing Parquet by dt', async () => {
    const { readFile } = await import('node:fs/promises');
    const script = await readFile(new URL('../glue/nightly_extract.py', import.meta.url), 'utf8');
    const evaluate = script.indexOf('EvaluateDataQuality.apply');
    const write = script.indexOf('.parquet(');
    assert.ok(evaluate > 0 && write > evaluate, 'quality is checked before anything is written');
    assert.match(script, /partitionBy\("dt"\)/);
  });
});

describe('Athena and QuickSight', () => {
  it('has an Athena workgroup that enforces an encrypted result location', () => {
    data.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'threadline',
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        ResultConfiguration: { OutputLocation: Match.objectLike({ 'Fn::Join': Match.anyValue() }), EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } },
      }),
    });
  });

  it('defines the QuickSight Athena data source (L1) on that workgroup', () => {
    data.hasResourceProperties('AWS::QuickSight::DataSource', { Type: 'ATHENA', DataSourceParameters: { AthenaParameters: { WorkGroup: 'threadline' } } });
  });
});
