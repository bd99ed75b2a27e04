import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import Fastify from 'fastify';
import { Registry } from 'prom-client';

import { createTestDatabase } from '@threadline/db/testing';

import { isPrivateAddress, metricsPlugin } from './fastify-metrics.js';
import { parseNetDev } from './host.js';
import { registerDuckDbMemoryMetrics, registerWorkerMetrics } from './worker-metrics.js';

/** The value of one series in Prometheus text output, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) return Number(line.split(' ').at(-1));
  }
  return undefined;
}

describe('metrics plugin', () => {
  it('counts requests, 5xx errors and latency per route template, not per raw URL', async () => {
    const app = Fastify();
    await app.register(metricsPlugin, { service: 'api' });
    app.get('/products/:id', async () => ({ ok: true }));
    app.get('/boom', async () => {
      throw new Error('kaput');
    });
    for (const id of ['1', '2', '3']) await app.inject(`/products/${id}`);
    await app.inject('/boom');
    await app.inject('/nowhere');
    const response = await app.inject('/metrics');
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /text\/plain/);
    const text = response.body;
    assert.equal(sample(text, 'http_requests_total', { route: '/products/:id', status_code: '200', service: 'api' }), 3);
    assert.equal(sample(text, 'http_request_errors_total', { route: '/boom', status_code: '500' }), 1);
    assert.equal(sample(text, 'http_requests_total', { route: '(unmatched)', status_code: '404' }), 1);
    assert.equal(sample(text, 'http_request_duration_seconds_count', { route: '/products/:id' }), 3);
    assert.ok(!text.includes('/products/1'), 'raw URLs must not become labels');
    assert.ok(sample(text, 'nodejs_eventloop_lag_seconds') !== undefined);
    assert.ok(sample(text, 'nodejs_heap_size_used_bytes') !== undefined);
    assert.ok(sample(text, 'process_cpu_seconds_total') !== undefined);
    await app.close();
  });

  it('refuses scrapes from public addresses unless they bring the token', async () => {
    const app = Fastify();
    await app.register(metricsPlugin, { service: 'web', token: 'secret-token' });
    assert.equal((await app.inject({ url: '/metrics', remoteAddress: '203.0.113.9' })).statusCode, 403);
    const withToken = await app.inject({ url: '/metrics', remoteAddress: '203.0.113.9', headers: { authorization: 'Bearer secret-token' } });
    assert.equal(withToken.statusCode, 200);
    assert.equal((await app.inject({ url: '/metrics', remoteAddress: '10.1.2.3' })).statusCode, 200);
    await app.close();
  });

  it('refuses a request that came through a proxy even from a loopback peer, unless it brings the token', async () => {
    const app = Fastify({ trustProxy: ['127.0.0.1'] });
    await app.register(metricsPlugin, { service: 'web', token: 'secret-token' });
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip', 'via']) {
      const proxied = await app.inject({ url: '/metrics', remoteAddress: '127.0.0.1', headers: { [header]: header === 'forwarded' ? 'for=203.0.113.9' : '203.0.113.9' } });
      assert.equal(proxied.statusCode, 403, header);
    }
    // a forged loopback client address is no better
    assert.equal((await app.inject({ url: '/metrics', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '127.0.0.1' } })).statusCode, 403);
    const scraper = await app.inject({ url: '/metrics', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.9', authorization: 'Bearer secret-token' } });
    assert.equal(scraper.statusCode, 200);
    await app.close();
  });

  it('classifies private and public addresses', () => {
    for (const ip of ['127.0.0.1', '::1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '::ffff:127.0.0.1', 'fd00::1']) assert.ok(isPrivateAddress(ip), ip);
    for (const ip of ['8.8.8.8', '172.32.0.1', '2001:db8::1', '']) assert.ok(!isPrivateAddress(ip), ip);
  });

  it('parses /proc/net/dev without loopback', () => {
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo: 100 1 0 0 0 0 0 0 100 1 0 0 0 0 0 0',
      '  eth0: 5000 10 0 0 0 0 0 0 7000 12 0 0 0 0 0 0',
    ].join('\n');
    assert.deepEqual(parseNetDev(text), [{ device: 'eth0', receiveBytes: 5000, transmitBytes: 7000 }]);
  });
});

describe('worker metrics', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'threadline-metrics-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves the memory of the process\'s DuckDB databases per database, read once per scrape', async () => {
    const registry = new Registry();
    let reads = 0;
    let rows = [
      { label: 'clickstream-flush', memoryBytes: 12_582_912, temporaryBytes: 0 },
      { label: 'insights', memoryBytes: 4096, temporaryBytes: 8192 },
    ];
    registerDuckDbMemoryMetrics(registry, async () => {
      reads += 1;
      return rows;
    });
    let text = await registry.metrics();
    assert.equal(sample(text, 'threadline_duckdb_memory_bytes', { database: 'clickstream-flush' }), 12_582_912);
    assert.equal(sample(text, 'threadline_duckdb_memory_bytes', { database: 'insights' }), 4096);
    assert.equal(sample(text, 'threadline_duckdb_temporary_bytes', { database: 'insights' }), 8192);
    assert.equal(reads, 1, 'both gauges come from one read');
    // a database closed since the last scrape is no longer listed
    rows = [{ label: 'insights', memoryBytes: 0, temporaryBytes: 0 }];
    text = await registry.metrics();
    assert.equal(sample(text, 'threadline_duckdb_memory_bytes', { database: 'clickstream-flush' }), undefined);
    assert.equal(sample(text, 'threadline_duckdb_memory_bytes', { database: 'insights' }), 0);
  });

  it('serves host, database, backlog and pipeline gauges from real sources', async () => {
    const db = await createTestDatabase({ migrate: false });
    try {
      mkdirSync(path.join(dataDir, 'spool', 'p0'), { recursive: true });
      writeFileSync(path.join(dataDir, 'spool', 'p0', 'seg-1'), Buffer.alloc(3000));
      writeFileSync(path.join(dataDir, 'spool', 'seg-2'), Buffer.alloc(1000));
      const registry = new Registry();
      registerWorkerMetrics(registry, { pool: db.pool, dataDir, backup: undefined });
      let text = await registry.metrics();
      assert.equal(sample(text, 'threadline_ingest_backlog_bytes'), 4000);
      assert.equal(sample(text, 'threadline_ingest_backlog_files'), 2);
      assert.equal(sample(text, 'threadline_pipeline_history_available'), 0);
      assert.ok((sample(text, 'threadline_db_max_connections') ?? 0) > 0);
      assert.ok((sample(text, 'threadline_db_connections', { state: 'active' }) ?? 0) >= 1);
      assert.ok((sample(text, 'host_memory_total_bytes') ?? 0) > 0);
      assert.ok((sample(text, 'host_memory_available_bytes') ?? 0) > 0);
      assert.ok((sample(text, 'host_disk_total_bytes', { path: dataDir }) ?? 0) > 0);
      assert.ok((sample(text, 'host_cpu_seconds_total', { mode: 'idle' }) ?? 0) > 0);

      // no DuckDB reader given: no DuckDB gauges
      assert.equal(sample(text, 'threadline_duckdb_memory_bytes', { database: 'clickstream-flush' }), undefined);

      // the pipeline's run history, once its table exists, drives last-success and failure gauges
      await db.pool.query(`CREATE TABLE pipeline_runs (id serial, status text NOT NULL, started_at timestamptz, finished_at timestamptz)`);
      await db.pool.query(`INSERT INTO pipeline_runs (status, started_at, finished_at) VALUES
        ('succeeded', '2026-11-24T07:00:00Z', '2026-11-24T07:05:00Z'),
        ('failed', '2026-11-25T07:00:00Z', '2026-11-25T07:01:00Z')`);
      text = await registry.metrics();
      assert.equal(sample(text, 'threadline_pipeline_history_available'), 1);
      assert.equal(sample(text, 'threadline_pipeline_last_success_timestamp_seconds'), Date.parse('2026-11-24T07:05:00Z') / 1000);
      assert.equal(sample(text, 'threadline_pipeline_last_run_failed'), 1);
    } finally {
      await db.close();
    }
  });
});
