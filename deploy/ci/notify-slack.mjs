#!/usr/bin/env node
// Posts the outcome of a CI/CD run to the operators' Slack channel through an incoming webhook
// (SLACK_WEBHOOK_URL from the CI secret store). Used by the GitHub workflow and buildspec.yml:
//   node deploy/ci/notify-slack.mjs --status success|failure|cancelled --pipeline NAME
//        --ref BRANCH@SHA [--url RUN_URL] [--jobs a=success,b=failure]
// Without SLACK_WEBHOOK_URL it prints the message and says so (exit 0, so forks without the secret
// still pass); a webhook that refuses the message exits 1.
import { pathToFileURL } from 'node:url';

import { parseArgs } from './args.mjs';

const STATUSES = { success: ':white_check_mark:', failure: ':x:', cancelled: ':warning:' };

/**
 * The Slack message: what ran, on which commit, how it ended, which jobs failed, where to look.
 * @param {{ status: string, pipeline: string, ref: string, url?: string, jobs?: string }} run
 */
export function buildMessage(run) {
  const icon = STATUSES[/** @type {keyof typeof STATUSES} */ (run.status)];
  if (!icon) throw new Error(`--status must be one of ${Object.keys(STATUSES).join(', ')} (got "${run.status}")`);
  const jobs = (run.jobs ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => pair.split('='));
  const failed = jobs.filter(([, result]) => result === 'failure').map(([name]) => name);
  const lines = [`${icon} *${run.pipeline}* ${run.status} on \`${run.ref}\``];
  if (failed.length > 0) lines.push(`failed: ${failed.join(', ')} — open the run, fix, and push again (nothing was deployed past the failed step)`);
  if (jobs.length > 0) lines.push(jobs.map(([name, result]) => `${name}: ${result || 'skipped'}`).join(' · '));
  if (run.url) lines.push(`<${run.url}|open the run>`);
  return { text: lines.join('\n') };
}

/**
 * Sends the message; throws with Slack's answer when the webhook refuses it.
 * @param {string} webhook
 * @param {{ text: string }} message
 */
export async function postToSlack(webhook, message) {
  const response = await fetch(webhook, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`Slack webhook answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const options = parseArgs(process.argv.slice(2), ['status', 'pipeline', 'ref']);
    const message = buildMessage({ status: options.status ?? '', pipeline: options.pipeline ?? '', ref: options.ref ?? '', url: options.url, jobs: options.jobs });
    const webhook = process.env.SLACK_WEBHOOK_URL;
    if (!webhook) {
      console.log(`SLACK_WEBHOOK_URL is not set; message not sent:\n${message.text}`);
    } else {
      await postToSlack(webhook, message);
      console.log('Slack notified');
    }
  } catch (error) {
    console.error(`notify-slack: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
