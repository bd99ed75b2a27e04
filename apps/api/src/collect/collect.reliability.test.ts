import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { ClickstreamFlusher, SpoolSource, loadClickstreamSettings } from '@threadline/clickstream';
import { LocalLakeStorage, lakeRoot, withDuckDb } from '@threadline/lake';
import { createTestDatabase, freePort, type TestDatabase } from '@threadline/db/testing';

import { makeEvent, startCollectApp } from './collect.test-helpers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

async function startApiProcess(env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'packages/cli/src/main.ts'), 'api'], {
    cwd: repoRoot,
    env: { ...process.env, ...env, THREADLINE_API_PORT: String(port), THREADLINE_HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; i < 300; i += 1) {
    if (child.exitCode !== null) throw new Error(`API exited: ${stderr}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`API did not become ready: ${stderr}`);
}

async function flushAll(dataDir: string): Promise<void> {
  const settings = loadClickstreamSettings(dataDir, {});
  const source = new SpoolSource(settings.spoolDir);
  await source.recover();
  const flusher = new ClickstreamFlusher({ source, storage: new LocalLakeStorage(lakeRoot(dataDir)), stateDir: settings.flusherStateDir });
  try {
    await flusher.recover();
    await flusher.drain();
  } finally {
    flusher.close();
  }
}

async function lakeIds(dataDir: string): Promise<string[]> {
  const glob = path.join(lakeRoot(dataDir), 'raw', 'clickstream', '**', '*.parquet');
  return withDuckDb(async (db) => (await db.all<{ id: string }>("SELECT event_id::VARCHAR AS id FROM read_parquet(?, hive_partitioning = false) WHERE event_type <> 'access_log'", [glob])).map((r) => r.id));
}

describe('collector reliability', () => {
  let db: TestDatabase;
  let dataDir: string;
  before(async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tl-reliab-'));
  });
  after(async () => {
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('after kill -9 during ingest the lake holds every acknowledged event once, and retries of the rest make it exactly the sent set', async () => {
    const env = { DATABASE_URL: db.url, THREADLINE_DATA_DIR: dataDir, THREADLINE_COLLECT_RATE: '0', THREADLINE_RATE_LIMIT_COLLECT_PER_MIN: '0' };
    const port = await freePort();
    let api = await startApiProcess(env, port);
    const acked = new Set<string>();
    const unacked: Array<Array<Record<string, unknown>>> = [];
    const sent = new Set<string>();
    let isKilled = false;
    const client = async (): Promise<void> => {
      while (!isKilled) {
        const events = Array.from({ length: 50 }, () => makeEvent());
        for (const e of events) sent.add(String(e.id));
        try {
          const response = await fetch(`http://127.0.0.1:${port}/collect`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
          if (response.status !== 202) throw new Error(`status ${response.status}`);
          for (const e of events) acked.add(String(e.id));
        } catch {
          unacked.push(events);
        }
      }
    };
    const clients = Array.from({ length: 4 }, () => client());
    await new Promise((r) => setTimeout(r, 1500));
    api.kill('SIGKILL');
    await new Promise<void>((resolve) => api.once('exit', () => resolve()));
    isKilled = true;
    await Promise.all(clients);
    assert.ok(acked.size >= 500, `ingest was running (${acked.size} acknowledged)`);

    // restart: the new process recovers the dead writer's segment (torn tail truncated)
    api = await startApiProcess(env, port);
    await flushAll(dataDir);
    const afterCrash = await lakeIds(dataDir);
    assert.equal(new Set(afterCrash).size, afterCrash.length, 'no event twice');
    for (const id of acked) assert.ok(afterCrash.includes(id), `acknowledged ${id} survived kill -9`);
    for (const id of afterCrash) assert.ok(sent.has(id));

    // the tracker retries what was not acknowledged; events that were in fact stored stay single
    for (const events of unacked) {
      const response = await fetch(`http://127.0.0.1:${port}/collect`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
      assert.equal(response.status, 202);
    }
    api.kill('SIGTERM');
    await new Promise<void>((resolve) => api.once('exit', () => resolve()));
    await flushAll(dataDir);
    const final = await lakeIds(dataDir);
    assert.equal(final.length, sent.size, 'exactly the sent set, none twice');
    assert.deepEqual(new Set(final), sent);
  });
});

function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = path.join(os.tmpdir(), `tl-mount-probe-${process.pid}`);
  try {
    execFileSync('mkdir', ['-p', probe]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    execFileSync('rm', ['-rf', probe]);
  }
}

describe('spool disk full or read-only', { skip: canMount() ? false : 'needs root and tmpfs mounts (Linux) to fill a real disk' }, () => {
  it('answers 503 with Retry-After, reports not ready, accepts nothing it cannot keep, and recovers when space returns', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tl-full-'));
    const spoolParent = path.join(dataDir, 'spool');
    await mkdir(spoolParent, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', spoolParent]);
    const h = await startCollectApp({ THREADLINE_COLLECT_RATE: '0' }, { dataDir, db: await createTestDatabase() });
    try {
      assert.equal((await h.app.inject('/readyz')).statusCode, 200);
      const acked: string[] = [];
      let unavailable;
      for (let i = 0; i < 200 && !unavailable; i += 1) {
        const events = Array.from({ length: 20 }, () => makeEvent());
        const response = await h.app.inject({ method: 'POST', url: '/collect', payload: { events } });
        if (response.statusCode === 202) acked.push(...events.map((e) => String(e.id)));
        else unavailable = response;
      }
      assert.ok(unavailable, 'the disk filled up');
      assert.equal(unavailable.statusCode, 503);
      assert.equal(unavailable.json().error.code, 'SERVICE_UNAVAILABLE');
      assert.ok(Number(unavailable.headers['retry-after']) >= 1);
      const ready = await h.app.inject('/readyz');
      assert.equal(ready.statusCode, 503);
      assert.match(JSON.stringify(ready.json()), /clickstream-spool/);
      // still refused while full: nothing is acknowledged that could not be kept
      assert.equal((await h.app.inject({ method: 'POST', url: '/collect', payload: { events: [makeEvent()] } })).statusCode, 503);

      // read-only (a permission-style failure) is refused the same way
      execFileSync('mount', ['-o', 'remount,size=8m,ro', spoolParent]);
      await new Promise((r) => setTimeout(r, 5200));
      assert.equal((await h.app.inject({ method: 'POST', url: '/collect', payload: { events: [makeEvent()] } })).statusCode, 503);

      // space and write access return: after Retry-After the spool probes the disk and accepts again
      execFileSync('mount', ['-o', 'remount,rw', spoolParent]);
      await new Promise((r) => setTimeout(r, 5200));
      assert.equal((await h.app.inject('/readyz')).statusCode, 200);
      const late = makeEvent();
      assert.equal((await h.app.inject({ method: 'POST', url: '/collect', payload: { events: [late] } })).statusCode, 202);
      acked.push(String(late.id));

      await flushAll(dataDir);
      const ids = await lakeIds(dataDir);
      for (const id of acked) assert.ok(ids.includes(id), 'every acknowledged event is delivered');
      assert.equal(new Set(ids).size, ids.length);
    } finally {
      await h.app.close();
      execFileSync('umount', ['-l', spoolParent]);
      await h.db.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
