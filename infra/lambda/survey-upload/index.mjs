// Runs in AWS Lambda (Node.js 20, AWS SDK v3 from the runtime). On each `.xlsx` uploaded under
// `surveys/` in the raw lake bucket it starts one worker task that imports the survey with the
// same code the shop runs on one machine (`threadline survey import s3://…`), and tells the
// operators' Slack channel (through the alerts topic) that the import started, or why it did not.
import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

/** Largest survey spreadsheet accepted (the importer's own limit is the same). */
export const MAX_SURVEY_BYTES = 20 * 1024 * 1024;

/**
 * Picks the survey uploads out of an S3 event: `.xlsx` objects under `surveys/`, URL-decoded keys.
 * Returns the accepted uploads and, for the others, why they were skipped.
 * @param {unknown} event
 * @returns {{ accepted: Array<{ bucket: string, key: string, size: number }>, skipped: Array<{ key: string, reason: string }> }}
 */
export function selectSurveyUploads(event) {
  const accepted = [];
  const skipped = [];
  const records = event && typeof event === 'object' && Array.isArray(event.Records) ? event.Records : [];
  for (const record of records) {
    const bucket = record?.s3?.bucket?.name;
    const rawKey = record?.s3?.object?.key;
    const size = Number(record?.s3?.object?.size ?? 0);
    if (typeof bucket !== 'string' || typeof rawKey !== 'string') {
      skipped.push({ key: String(rawKey), reason: 'not an S3 object record' });
      continue;
    }
    // S3 event keys are URL-encoded with '+' for spaces.
    const key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
    if (!key.startsWith('surveys/')) skipped.push({ key, reason: 'not under surveys/' });
    else if (!key.toLowerCase().endsWith('.xlsx')) skipped.push({ key, reason: 'not an .xlsx spreadsheet' });
    else if (size > MAX_SURVEY_BYTES) skipped.push({ key, reason: `larger than ${MAX_SURVEY_BYTES / 1024 / 1024} MiB` });
    else accepted.push({ bucket, key, size });
  }
  return { accepted, skipped };
}

/**
 * The ECS RunTask request that imports one survey on the worker task definition.
 * @param {{ bucket: string, key: string }} upload
 * @param {Record<string, string | undefined>} env
 */
export function buildRunTaskInput(upload, env) {
  for (const name of ['CLUSTER_ARN', 'TASK_DEFINITION_ARN', 'SUBNET_IDS', 'SECURITY_GROUP_ID', 'CONTAINER_NAME', 'CAPACITY_PROVIDER']) {
    if (!env[name]) throw new Error(`environment variable ${name} is not set`);
  }
  return {
    cluster: env.CLUSTER_ARN,
    taskDefinition: env.TASK_DEFINITION_ARN,
    count: 1,
    capacityProviderStrategy: [{ capacityProvider: env.CAPACITY_PROVIDER, weight: 1 }],
    networkConfiguration: {
      awsvpcConfiguration: { subnets: String(env.SUBNET_IDS).split(','), securityGroups: [env.SECURITY_GROUP_ID], assignPublicIp: 'DISABLED' },
    },
    overrides: {
      containerOverrides: [
        { name: env.CONTAINER_NAME, command: ['survey', 'import', `s3://${upload.bucket}/${upload.key}`] },
      ],
    },
    startedBy: 'survey-upload',
  };
}

const ecs = new ECSClient({});
const sns = new SNSClient({});

/** @param {unknown} event */
export async function handler(event) {
  const { accepted, skipped } = selectSurveyUploads(event);
  const lines = skipped.map((entry) => `skipped ${entry.key}: ${entry.reason}`);
  for (const upload of accepted) {
    const result = await ecs.send(new RunTaskCommand(buildRunTaskInput(upload, process.env)));
    const failure = result.failures?.[0];
    if (failure || !result.tasks?.length) {
      lines.push(`survey ${upload.key}: import could not start (${failure?.reason ?? 'no task'}); upload it again or run \`threadline survey import\` on a worker`);
    } else {
      lines.push(`survey ${upload.key}: import started (task ${result.tasks[0].taskArn})`);
    }
  }
  if (lines.length > 0 && process.env.TOPIC_ARN) {
    await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Subject: 'Threadline survey upload', Message: lines.join('\n') }));
  }
  return { started: accepted.length, skipped: skipped.length };
}
