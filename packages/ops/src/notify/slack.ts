import { setTimeout as delay } from 'node:timers/promises';

import type { Logger } from '@threadline/config';

/** A Slack message: plain `text` is required (it is the notification and fallback text). */
export interface SlackMessage {
  text: string;
  /** Block Kit blocks; passed through unchanged. */
  blocks?: unknown[];
}

export interface NotifySlackOptions {
  /** Slack incoming webhook URL. Undefined or empty: the message is logged only. */
  webhookUrl?: string | undefined;
  logger?: Logger | undefined;
  /** Attempts in total, including the first. Default 4. */
  maxAttempts?: number;
  /** Per-attempt timeout in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** First backoff delay in milliseconds; doubles on every retry. Default 500. */
  backoffMs?: number;
}

/** Why a notice was not delivered; stable codes for logs, exit codes and tests. */
export const SLACK_FAILURE = {
  INVALID_URL: 'SLACK_INVALID_URL',
  REJECTED: 'SLACK_REJECTED',
  RETRIES_EXHAUSTED: 'SLACK_RETRIES_EXHAUSTED',
  TIMEOUT: 'SLACK_TIMEOUT',
  NETWORK: 'SLACK_NETWORK',
} as const;
export type SlackFailureCode = (typeof SLACK_FAILURE)[keyof typeof SLACK_FAILURE];

export type NotifySlackResult =
  | { status: 'sent'; attempts: number; httpStatus: number }
  | { status: 'logged-only'; reason: string }
  | { status: 'failed'; code: SlackFailureCode; reason: string; attempts: number; httpStatus?: number };

/** Statuses worth retrying: rate limiting and server-side trouble. Other 4xx are final. */
function isRetryable(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Slack sends Retry-After in seconds on 429; honour it but cap it so a notice never hangs a job. */
function retryAfterMs(header: string | null, fallback: number): number {
  if (header === null) return fallback;
  const seconds = Number(header);
  if (!Number.isFinite(seconds) || seconds < 0) return fallback;
  return Math.min(seconds * 1000, 30_000);
}

/**
 * Posts a message to a Slack incoming webhook. Never throws: the result says whether the message
 * was sent, only logged (no webhook configured), or failed and why. Retries with exponential
 * backoff on 429 and 5xx and on network errors/timeouts; a 4xx other than 429 is final.
 *
 * @example
 * const result = await notifySlack({ text: ':white_check_mark: Backup done' }, { webhookUrl, logger });
 * if (result.status === 'failed') process.exitCode = 1;
 */
export async function notifySlack(message: SlackMessage, options: NotifySlackOptions = {}): Promise<NotifySlackResult> {
  const { logger } = options;
  const webhookUrl = options.webhookUrl?.trim();
  if (!webhookUrl) {
    logger?.info({ slack: message.text }, 'Slack webhook not configured; notice logged only');
    return { status: 'logged-only', reason: 'no Slack webhook URL configured (set SLACK_WEBHOOK_URL)' };
  }
  let url: URL;
  try {
    url = new URL(webhookUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
  } catch {
    const reason = 'Slack webhook URL is not an absolute http(s) URL';
    logger?.error({ slack: message.text }, reason);
    return { status: 'failed', code: SLACK_FAILURE.INVALID_URL, reason, attempts: 0 };
  }

  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const timeoutMs = options.timeoutMs ?? 5000;
  let backoff = options.backoffMs ?? 500;
  const body = JSON.stringify(message.blocks ? { text: message.text, blocks: message.blocks } : { text: message.text });
  let last: Extract<NotifySlackResult, { status: 'failed' }> = {
    status: 'failed',
    code: SLACK_FAILURE.RETRIES_EXHAUSTED,
    reason: 'no attempt made',
    attempts: 0,
  };

  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let wait = backoff;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text().catch(() => '');
      if (response.ok) {
        logger?.debug({ attempts: attempt }, 'Slack notice sent');
        return { status: 'sent', attempts: attempt, httpStatus: response.status };
      }
      const reason = `Slack answered HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
      if (!isRetryable(response.status)) {
        logger?.error({ httpStatus: response.status, slack: message.text }, reason);
        return { status: 'failed', code: SLACK_FAILURE.REJECTED, reason, attempts: attempt, httpStatus: response.status };
      }
      last = { status: 'failed', code: SLACK_FAILURE.RETRIES_EXHAUSTED, reason, attempts: attempt, httpStatus: response.status };
      wait = response.status === 429 ? retryAfterMs(response.headers.get('retry-after'), backoff) : backoff;
    } catch (error) {
      const isTimeout = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      last = isTimeout
        ? { status: 'failed', code: SLACK_FAILURE.TIMEOUT, reason: `no answer from Slack within ${timeoutMs} ms`, attempts: attempt }
        : {
            status: 'failed',
            code: SLACK_FAILURE.NETWORK,
            reason: `could not reach Slack: ${error instanceof Error ? error.message : String(error)}`,
            attempts: attempt,
          };
    }
    if (attempt < maxAttempts) {
      logger?.warn({ attempt, reason: last.reason, retryInMs: wait }, 'Slack notice failed; retrying');
      await delay(wait);
      backoff *= 2;
    }
  }
  logger?.error({ attempts: last.attempts, reason: last.reason, slack: message.text }, 'Slack notice not delivered');
  return last;
}
