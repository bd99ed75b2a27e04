// Runs in AWS Lambda (Node.js 24, AWS SDK v3 from the runtime). On each `.xlsx` uploaded under
// `surveys/` in the raw lake bucket it starts one worker task that imports the survey with the
// same code the shop runs on one machine (`threadline survey import s3://…`), and tells the
// operators' Slack channel (through the alerts topic) that the import started, or why it did not.
import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

import { buildRunTaskInput, selectSurveyUploads } from './uploads.mjs';

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
