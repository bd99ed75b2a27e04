import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

import { COLLECT_WORKERS_MAX, loadConfig } from './config.js';
import { configTable, describeConfig } from './describe.js';
import { ConfigError } from './errors.js';
import { VARIABLES } from './variables.js';

const REPO = path.resolve(import.meta.dirname, '..', '..', '..');

function sources(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) sources(full, found);
    else if (/\.tsx?$/.test(entry) && !/\.test\.tsx?$/.test(entry)) found.push(full);
  }
  return found;
}

describe('configuration tree', () => {
  it('runs on defaults alone, with the data-dir layout spelled out', () => {
    const config = loadConfig({ THREADLINE_DATA_DIR: '/srv/shop' });
    assert.equal(config.webPort, 8080);
    assert.equal(config.apiPort, 8081);
    assert.equal(config.paths.lake, '/srv/shop/lake');
    assert.equal(config.paths.clickstreamSpool, '/srv/shop/spool/clickstream');
    assert.deepEqual(config.duckdb, { threads: 2, memoryLimit: '2GB' });
    assert.equal(config.clickstream.maxBatchBytes, 1024 * 1024);
    assert.equal(config.clickstream.compactMemoryLimit, '192MB');
    assert.equal(config.pipeline.cron, '0 2 * * *');
    assert.equal(config.pipeline.isScheduled, true);
    assert.equal(config.backup.schedule, 'on');
    assert.equal(loadConfig({ NODE_ENV: 'test' }).backup.schedule, 'off');
  });

  it('converts units and reads the environment over the defaults', () => {
    const config = loadConfig({ PORT: '9000', THREADLINE_FLUSH_MAX_MB: '8', THREADLINE_PIPELINE_CRON: 'off', THREADLINE_DUCKDB_MEMORY: '512MB' });
    assert.equal(config.workerPort, 9002);
    assert.equal(config.clickstream.flushMaxBytes, 8 * 1024 * 1024);
    assert.equal(config.pipeline.isScheduled, false);
    assert.equal(config.duckdb.memoryLimit, '512MB');
    assert.equal(loadConfig({ THREADLINE_COMPACT_MEMORY: ' 1.5GiB ' }).clickstream.compactMemoryLimit, '1.5GiB');
  });

  it('sizes the /collect worker threads to the cores unless told, and 0 keeps them off', () => {
    const cores = Math.min(COLLECT_WORKERS_MAX, Math.max(1, os.availableParallelism()));
    assert.equal(loadConfig({}).clickstream.workers, cores);
    assert.equal(loadConfig({ THREADLINE_COLLECT_WORKERS: '' }).clickstream.workers, cores);
    assert.equal(loadConfig({ THREADLINE_COLLECT_WORKERS: '0' }).clickstream.workers, 0);
    assert.equal(loadConfig({ THREADLINE_COLLECT_WORKERS: '3' }).clickstream.workers, 3);
    assert.throws(() => loadConfig({ THREADLINE_COLLECT_WORKERS: 'two' }), (error: unknown) => error instanceof ConfigError && error.variable === 'THREADLINE_COLLECT_WORKERS');
  });

  it('refuses a bad value and names the variable', () => {
    const cases: Array<[string, string]> = [
      ['PORT', '70000'],
      ['THREADLINE_TIME_ZONE', 'Mars/Olympus'],
      ['THREADLINE_COLLECT_MAX_EVENTS', '0'],
      ['THREADLINE_PIPELINE_RETRIES', 'two'],
      ['THREADLINE_STREAM', 'pigeon'],
      ['THREADLINE_DEMO', 'maybe'],
      ['DATABASE_URL', 'not a url'],
      ['THREADLINE_COMPACT_MEMORY', '256'],
      ['THREADLINE_COMPACT_MEMORY', 'lots'],
      ['THREADLINE_COMPACT_MEMORY', '64MB'],
      ['THREADLINE_API_SOCKET', 'run/api.sock'],
      ['THREADLINE_API_SOCKET', `/${'x'.repeat(120)}.sock`],
      // one URL (the default), two sockets
      ['THREADLINE_API_SOCKETS', '/tmp/a.sock,/tmp/b.sock'],
    ];
    for (const [name, value] of cases) {
      assert.throws(() => loadConfig({ [name]: value }), (error: unknown) => error instanceof ConfigError && error.variable === name, `${name}=${value}`);
    }
    assert.throws(() => loadConfig({ THREADLINE_STREAM: 'kinesis' }), (error: unknown) => error instanceof ConfigError && error.variable === 'THREADLINE_KINESIS_STREAM');
  });

  it('holds the edge, backup and monitoring sections with the documented defaults', () => {
    const config = loadConfig({ THREADLINE_DATA_DIR: '/srv/shop' });
    assert.equal(config.edge.waf.mode, 'block');
    assert.equal(config.edge.waf.maxBodyBytes, 25 * 1024 * 1024);
    assert.equal(config.edge.waf.blockScore, 5);
    assert.deepEqual(config.edge.rateLimit, { apiPerIpPerMin: 1200, apiPerAccountPerMin: 1200, loginPerIpPerMin: 30, loginPerAccountPerMin: 10, signupPerIpPerHour: 20, collectPerIpPerMin: 600 });
    assert.deepEqual(config.edge.tls, { certPath: undefined, keyPath: undefined, redirectPort: undefined, hstsMaxAge: 31_536_000 });
    assert.deepEqual(config.edge.trustedProxies, ['127.0.0.1', '::1']);
    assert.deepEqual(config.edge.corsOrigins, []);
    assert.equal(config.edge.isHttps, false);
    assert.deepEqual(config.backup, { schedule: 'on', at: '02:00', retentionDays: 7, offsitePath: undefined, passphrase: undefined, pgPath: undefined, pgSocket: '/var/run/postgresql' });
    assert.deepEqual(config.monitoring, { isEnabled: true, prometheusUrl: undefined, runbookBaseUrl: undefined });
    const given = loadConfig({
      THREADLINE_WAF_MODE: 'DETECT',
      THREADLINE_RATE_LIMIT_LOGIN_PER_MIN: '0',
      THREADLINE_BEHIND_TLS_PROXY: '1',
      THREADLINE_TRUSTED_PROXIES: '10.0.0.0/16, ::1',
      THREADLINE_CORS_ORIGINS: 'https://a.example,https://b.example:8443',
      THREADLINE_BACKUP_RETENTION_DAYS: '14',
      THREADLINE_MONITORING: 'off',
      THREADLINE_PROMETHEUS_URL: 'http://prom.internal:9090',
    });
    assert.equal(given.edge.waf.mode, 'detect');
    assert.equal(given.edge.rateLimit.loginPerIpPerMin, 0);
    assert.equal(given.edge.isHttps, true);
    assert.deepEqual(given.edge.trustedProxies, ['10.0.0.0/16', '::1']);
    assert.deepEqual(given.edge.corsOrigins, ['https://a.example', 'https://b.example:8443']);
    assert.equal(given.backup.retentionDays, 14);
    assert.equal(given.monitoring.isEnabled, false);
    assert.equal(given.monitoring.prometheusUrl, 'http://prom.internal:9090');
  });

  it('refuses a bad edge, backup or monitoring value and names the variable', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ THREADLINE_WAF_MODE: 'loud' }, 'THREADLINE_WAF_MODE'],
      [{ THREADLINE_RATE_LIMIT_PER_MIN: '-1' }, 'THREADLINE_RATE_LIMIT_PER_MIN'],
      [{ THREADLINE_WAF_BLOCK_SCORE: '0' }, 'THREADLINE_WAF_BLOCK_SCORE'],
      [{ THREADLINE_TRUSTED_PROXIES: '10.0.0.0/33' }, 'THREADLINE_TRUSTED_PROXIES'],
      [{ THREADLINE_TRUSTED_PROXIES: '0.0.0.0/0' }, 'THREADLINE_TRUSTED_PROXIES'],
      [{ THREADLINE_TRUSTED_PROXIES: '127.0.0.1,::/0' }, 'THREADLINE_TRUSTED_PROXIES'],
      [{ THREADLINE_CORS_ORIGINS: 'https://shop.example/path' }, 'THREADLINE_CORS_ORIGINS'],
      [{ THREADLINE_TLS_CERT: '/etc/cert.pem' }, 'THREADLINE_TLS_KEY'],
      [{ THREADLINE_TLS_CERT: '/c.pem', THREADLINE_TLS_KEY: '/k.pem', THREADLINE_HTTP_REDIRECT_PORT: '8080', THREADLINE_PUBLIC_URL: 'http://shop.example' }, 'THREADLINE_PUBLIC_URL'],
      [{ THREADLINE_HTTP_REDIRECT_PORT: '99999' }, 'THREADLINE_HTTP_REDIRECT_PORT'],
      [{ THREADLINE_BEHIND_TLS_PROXY: 'maybe' }, 'THREADLINE_BEHIND_TLS_PROXY'],
      [{ THREADLINE_BACKUP_RETENTION_DAYS: '0' }, 'THREADLINE_BACKUP_RETENTION_DAYS'],
      [{ THREADLINE_MONITORING: 'sometimes' }, 'THREADLINE_MONITORING'],
      [{ THREADLINE_PROMETHEUS_URL: 'prometheus' }, 'THREADLINE_PROMETHEUS_URL'],
    ];
    for (const [env, name] of cases) {
      assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && error.variable === name, JSON.stringify(env));
    }
    // an http public URL is fine for a shop without TLS; it is only no HTTPS redirect target
    assert.equal(loadConfig({ THREADLINE_PUBLIC_URL: 'http://shop.example' }).edge.publicUrl, undefined);
    assert.equal(loadConfig({ THREADLINE_PUBLIC_URL: 'https://shop.example/' }).edge.publicUrl, 'https://shop.example');
  });

  it('documents every variable once, and each one is read somewhere', () => {
    const names = VARIABLES.map((spec) => spec.name);
    assert.equal(new Set(names).size, names.length, 'a variable is listed twice');
    for (const spec of VARIABLES) assert.ok(spec.doc.length > 10, `${spec.name} needs a doc`);
    const read = new Set<string>();
    loadConfig(new Proxy<Record<string, string | undefined>>({}, { get: (_target, key) => (typeof key === 'string' ? (read.add(key), undefined) : undefined) }));
    const code = ['packages', 'apps'].flatMap((dir) => sources(path.join(REPO, dir))).map((file) => readFileSync(file, 'utf8')).join('\n');
    for (const name of names) {
      if (read.has(name)) continue;
      // secrets are read by loadOrCreateSecrets (secrets.json), not loadConfig
      assert.ok(code.split(name).length > 2, `${name} is listed but nothing reads it`);
    }
  });

  it('lists every THREADLINE_ variable the code reads', () => {
    const listed = new Set(VARIABLES.map((spec) => spec.name));
    const readers = /(?:env\.|env\[['"]|ConfigError\(['"])(THREADLINE_[A-Z0-9_]+)/g;
    const missing = new Set<string>();
    for (const file of ['packages', 'apps'].flatMap((dir) => sources(path.join(REPO, dir)))) {
      if (file.includes(`${path.sep}testing${path.sep}`) || file.includes(`${path.sep}e2e${path.sep}`)) continue;
      for (const match of readFileSync(file, 'utf8').matchAll(readers)) {
        const name = match[1];
        if (name && !listed.has(name) && !name.startsWith('THREADLINE_TEST_')) missing.add(`${name} (${path.relative(REPO, file)})`);
      }
    }
    assert.deepEqual([...missing], [], 'add these to packages/config/src/variables.ts (see the note at its top)');
  });

  it("keeps the README's table and `threadline config` in step with the table", () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    assert.ok(readme.includes(configTable()), 'README.md is out of date: npm run docs:config');
    const lines = describeConfig({ PORT: '9000', THREADLINE_SESSION_SECRET: 'hunter2-hunter2' });
    assert.deepEqual(lines.find((line) => line.name === 'PORT'), { name: 'PORT', section: 'http', value: '9000', source: 'environment', default: '8080', doc: lines.find((line) => line.name === 'PORT')?.doc });
    const secret = lines.find((line) => line.name === 'THREADLINE_SESSION_SECRET');
    assert.equal(secret?.value, '(set)', 'secrets are never printed');
  });
});
