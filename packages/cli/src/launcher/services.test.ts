import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import { loadConfig } from '@threadline/config';

import { apiServices, workerServices } from './services.js';

describe('launcher services', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'launcher-services-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = loadConfig({ THREADLINE_DATA_DIR: dataDir });

  it('starts both workers with two glibc malloc arenas, and leaves the API tier as it was', () => {
    const workers = workerServices(config, { THREADLINE_DATA_DIR: dataDir }, ['http://127.0.0.1:1']);
    assert.deepEqual(workers.map((spec) => spec.name), ['worker', 'worker-2']);
    for (const spec of workers) {
      assert.equal(spec.env?.MALLOC_ARENA_MAX, process.env.MALLOC_ARENA_MAX ?? '2', spec.name);
      assert.equal(spec.env?.THREADLINE_DATA_DIR, dataDir);
    }
    for (const spec of apiServices(config, { THREADLINE_DATA_DIR: dataDir })) assert.equal(spec.env?.MALLOC_ARENA_MAX, undefined);
  });

  it('keeps an arena setting the launcher was given', () => {
    const workers = workerServices(config, { MALLOC_ARENA_MAX: '4' }, ['http://127.0.0.1:1']);
    assert.ok(workers.every((spec) => spec.env?.MALLOC_ARENA_MAX === '4'));
  });
});
