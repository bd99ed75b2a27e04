import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';

import { notifySlack, SLACK_FAILURE } from './slack.js';

/** A Slack-compatible webhook receiver whose answers are scripted per request. */
async function startReceiver(answers: Array<{ status: number; headers?: Record<string, string>; delayMs?: number }>) {
  const bodies: unknown[] = [];
  let index = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      const answer = answers[Math.min(index++, answers.length - 1)] ?? { status: 200 };
      setTimeout(() => {
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.status === 200 ? 'ok' : 'nope');
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // listen() on a TCP port always yields an AddressInfo, never a pipe name.
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, bodies, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('notifySlack', () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const close of closers) await close();
  });

  it('logs only when no webhook is configured', async () => {
    const result = await notifySlack({ text: 'hello' }, {});
    assert.equal(result.status, 'logged-only');
  });

  it('posts text and blocks to the webhook', async () => {
    const receiver = await startReceiver([{ status: 200 }]);
    closers.push(receiver.close);
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }];
    const result = await notifySlack({ text: 'hi', blocks }, { webhookUrl: receiver.url });
    assert.deepEqual(result, { status: 'sent', attempts: 1, httpStatus: 200 });
    assert.deepEqual(receiver.bodies, [{ text: 'hi', blocks }]);
  });

  it('retries on 429 and 5xx, then succeeds', async () => {
    const receiver = await startReceiver([{ status: 429, headers: { 'retry-after': '0' } }, { status: 503 }, { status: 200 }]);
    closers.push(receiver.close);
    const result = await notifySlack({ text: 'retry me' }, { webhookUrl: receiver.url, backoffMs: 10 });
    assert.equal(result.status, 'sent');
    assert.equal(result.status === 'sent' && result.attempts, 3);
    assert.equal(receiver.bodies.length, 3);
  });

  it('does not retry a 4xx rejection and says why', async () => {
    const receiver = await startReceiver([{ status: 404 }]);
    closers.push(receiver.close);
    const result = await notifySlack({ text: 'x' }, { webhookUrl: receiver.url, backoffMs: 10 });
    assert.equal(result.status, 'failed');
    assert.equal(result.status === 'failed' && result.code, SLACK_FAILURE.REJECTED);
    assert.equal(receiver.bodies.length, 1);
  });

  it('gives up after the last attempt on persistent 500s', async () => {
    const receiver = await startReceiver([{ status: 500 }]);
    closers.push(receiver.close);
    const result = await notifySlack({ text: 'x' }, { webhookUrl: receiver.url, backoffMs: 5, maxAttempts: 3 });
    assert.equal(result.status === 'failed' && result.code, SLACK_FAILURE.RETRIES_EXHAUSTED);
    assert.equal(receiver.bodies.length, 3);
  });

  it('times out a receiver that never answers in time', async () => {
    const receiver = await startReceiver([{ status: 200, delayMs: 500 }]);
    closers.push(receiver.close);
    const result = await notifySlack({ text: 'x' }, { webhookUrl: receiver.url, timeoutMs: 50, maxAttempts: 1 });
    assert.equal(result.status === 'failed' && result.code, SLACK_FAILURE.TIMEOUT);
  });

  it('reports an unusable URL without sending', async () => {
    const result = await notifySlack({ text: 'x' }, { webhookUrl: 'ftp://example' });
    assert.equal(result.status === 'failed' && result.code, SLACK_FAILURE.INVALID_URL);
  });
});
