// Pure parts of the survey-upload Lambda (no AWS SDK), so that they run in the tests as in AWS.

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
  /** @type {unknown} */
  const list = event && typeof event === 'object' && 'Records' in event ? event.Records : undefined;
  /** @type {Array<{ s3?: { bucket?: { name?: unknown }, object?: { key?: unknown, size?: unknown } } } | null>} checked field by field below */
  const records = Array.isArray(list) ? list : [];
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
