import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import Fastify, { type FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';

import { freePort } from '@threadline/db/testing';

import { metricsPlugin } from '../metrics/fastify-metrics.js';
import { findAlertingBinaries } from './binaries.js';
import { alertingCommands, DEPLOY_DIR, writeAlertingConfig } from './configs.js';

interface SlackMessage {
  title: string;
  text: string;
}

/** A Slack-compatible incoming webhook: stores every attachment Alertmanager posts. */
async function startSlackReceiver(): Promise<{ url: string; messages: SlackMessage[]; server: Server }> {
  const messages: SlackMessage[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const attachments = typeof body === 'object' && body !== null && 'attachments' in body && Array.isArray(body.attachments) ? body.attachments : [];
      for (const attachment of attachments) {
        if (typeof attachment === 'object' && attachment !== null) {
          const title = 'title' in attachment && typeof attachment.title === 'string' ? attachment.title : '';
          const text = 'text' in attachment && typeof attachment.text === 'string' ? attachment.text : '';
          messages.push({ title, text });
        }
      }
      res.writeHead(200).end('ok');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}/services/T000/B000/hook`, messages, server };
}

interface TierState {
  isFailing: boolean;
  replicaLagSeconds: number;
  isPipelineFailed: boolean;
}

/**
 * A worker as npm start runs two of them (leader and standby): both export the installation-wide
 * gauges they read from the database, so both say the same about the pipeline.
 */
async function startWorker(port: number, state: TierState): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(metricsPlugin, {
    service: 'worker',
    extend: (registry) => {
      new Gauge({
        name: 'threadline_pipeline_last_run_failed',
        help: '1 when the most recent finished pipeline run failed',
        registers: [registry],
        collect() {
          this.set(state.isPipelineFailed ? 1 : 0);
        },
      });
    },
  });
  await app.listen({ port, host: '127.0.0.1' });
  return app;
}

/** A tier that serves /metrics through the real plugin and a route we can make fail. */
async function startTier(port: number, state: TierState): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(metricsPlugin, {
    service: 'api',
    // what the worker exports about the hot standby, driven by the test
    extend: (registry) => {
      new Gauge({
        name: 'threadline_db_replica_lag_seconds',
        help: 'replay lag of the standby',
        labelNames: ['standby'] as const,
        registers: [registry],
        collect() {
          this.set({ standby: 'threadline_standby' }, state.replicaLagSeconds);
        },
      });
    },
  });
  app.get('/api/products', async (_request, reply) => (state.isFailing ? reply.status(503).send({ error: 'down' }) : { items: [] }));
  await app.listen({ port, host: '127.0.0.1' });
  return app;
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = probe();
    if (found !== undefined) return found;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const binaries = findAlertingBinaries();
const isAvailable = binaries.prometheus !== null && binaries.alertmanager !== null;

describe('alerts reach Slack through real Prometheus and Alertmanager', { skip: isAvailable ? false : 'prometheus/alertmanager not installed (CI installs them)' }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'threadline-alerting-'));
  const children: ChildProcess[] = [];
  const state: TierState = { isFailing: false, replicaLagSeconds: 0, isPipelineFailed: false };
  const workers: FastifyInstance[] = [];
  let slack: Awaited<ReturnType<typeof startSlackReceiver>>;
  let tier: FastifyInstance | undefined;
  let tierPort = 0;
  let traffic: NodeJS.Timeout | undefined;

  before(async () => {
    slack = await startSlackReceiver();
    tierPort = await freePort();
    tier = await startTier(tierPort, state);
    traffic = setInterval(() => void fetch(`http://127.0.0.1:${tierPort}/api/products`).catch(() => undefined), 50);
    // the production rules, with durations shortened so the test takes seconds, not minutes
    const rulesText = readFileSync(path.join(DEPLOY_DIR, 'prometheus', 'alerts.yml'), 'utf8')
      .replace(/for: \d+m/g, 'for: 2s')
      .replace(/\[5m\]/g, '[10s]');
    const workerPorts = [await freePort(), await freePort()];
    for (const port of workerPorts) workers.push(await startWorker(port, state));
    const layout = {
      dir,
      targets: [{ job: 'api', address: `127.0.0.1:${tierPort}` }, ...workerPorts.map((port) => ({ job: 'worker', address: `127.0.0.1:${port}` }))],
      prometheusPort: await freePort(),
      alertmanagerPort: await freePort(),
      slackWebhookUrl: slack.url,
      scrapeIntervalSeconds: 1,
      evaluationIntervalSeconds: 1,
      groupWait: '1s',
      groupInterval: '2s',
      repeatInterval: '1h',
      rulesText,
    };
    const files = writeAlertingConfig(layout);
    // the binaries were checked above: findAlertingBinaries returned both paths
    for (const command of alertingCommands(files, layout, { prometheus: binaries.prometheus ?? '', alertmanager: binaries.alertmanager ?? '' })) {
      const child = spawn(command.command, command.args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      children.push(child);
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`${command.name} exited: ${stderr}`);
        const ok = await fetch(command.readyUrl).then((response) => response.ok, () => false);
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`${command.name} not ready: ${stderr}`);
        await sleep(200);
      }
    }
  });

  after(async () => {
    clearInterval(traffic);
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
    await tier?.close();
    for (const worker of workers) await worker.close();
    await new Promise((resolve) => slack.server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a firing then a resolved message when a tier answers 5xx', async () => {
    state.isFailing = true;
    const firing = await waitFor('HighErrorRate firing', () => slack.messages.find((m) => m.title.startsWith('[FIRING') && m.title.includes('HighErrorRate')));
    assert.match(firing.title, /\(api\)/);
    assert.match(firing.text, /of requests answer 5xx/);
    assert.match(firing.text, /since: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    assert.match(firing.text, /runbook: docs\/operations\.md#higherrorrate/);
    state.isFailing = false;
    const resolved = await waitFor('HighErrorRate resolved', () => slack.messages.find((m) => m.title.startsWith('[RESOLVED]') && m.title.includes('HighErrorRate')));
    assert.match(resolved.text, /RESOLVED/);
    assert.match(resolved.text, /resolved \d{4}-/);
  });

  it('pages when the hot standby trails the primary, and resolves when it caught up', async () => {
    state.replicaLagSeconds = 95;
    const firing = await waitFor('DatabaseReplicaLagging firing', () => slack.messages.find((m) => m.title.startsWith('[FIRING') && m.title.includes('DatabaseReplicaLagging')));
    assert.match(firing.text, /Standby threadline_standby trails the primary \(95\)/);
    assert.match(firing.text, /runbook: docs\/operations\.md#databasereplicalagging/);
    state.replicaLagSeconds = 0.01;
    const resolved = await waitFor('DatabaseReplicaLagging resolved', () => slack.messages.find((m) => m.title.startsWith('[RESOLVED]') && m.title.includes('DatabaseReplicaLagging')));
    assert.match(resolved.text, /RESOLVED/);
  });

  it('sends one installation-wide alert once, though both workers (leader and standby) report it', async () => {
    state.isPipelineFailed = true;
    const firing = await waitFor('PipelineFailed firing', () => slack.messages.find((m) => m.title.startsWith('[FIRING') && m.title.includes('PipelineFailed')));
    assert.match(firing.text, /The last data pipeline run failed/);
    // both workers are scraped every second and the group is re-sent every 2 s: a second instance would show by now
    await sleep(5_000);
    const titles = slack.messages.filter((m) => m.title.includes('PipelineFailed') && m.title.startsWith('[FIRING')).map((m) => m.title);
    assert.deepEqual([...new Set(titles)], ['[FIRING:1] PipelineFailed (worker)']);
    state.isPipelineFailed = false;
    await waitFor('PipelineFailed resolved', () => slack.messages.find((m) => m.title.startsWith('[RESOLVED]') && m.title.includes('PipelineFailed')));
  });

  it('sends TierDown when the tier stops and a resolved message when it is back', async () => {
    await tier?.close();
    tier = undefined;
    const firing = await waitFor('TierDown firing', () => slack.messages.find((m) => m.title.startsWith('[FIRING') && m.title.includes('TierDown')));
    assert.match(firing.text, /api tier is down/);
    assert.match(firing.text, new RegExp(`where: 127\\.0\\.0\\.1:${tierPort}`));
    tier = await startTier(tierPort, state);
    const resolved = await waitFor('TierDown resolved', () => slack.messages.find((m) => m.title.startsWith('[RESOLVED]') && m.title.includes('TierDown')));
    assert.match(resolved.text, /severity: page/);
  });
});
