import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import { loadConfig } from '@threadline/config';

import { apiServices, webService, workerServices } from './services.js';

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

  it('gives each API replica its own owner-only Unix socket under run/, and the web tier the same sockets in the order of its URLs', () => {
    const apis = apiServices(config, {});
    assert.deepEqual(
      apis.map((spec) => spec.env?.THREADLINE_API_SOCKET),
      apis.map((_, index) => path.join(dataDir, 'run', `api-${index + 1}.sock`)),
    );
    const urls = ['http://127.0.0.1:8081', 'http://127.0.0.1:8083'];
    const web = webService(config, {}, urls);
    assert.equal(web.env?.THREADLINE_API_URLS, urls.join(','));
    assert.equal(web.env?.THREADLINE_API_SOCKETS, [path.join(dataDir, 'run', 'api-1.sock'), path.join(dataDir, 'run', 'api-2.sock')].join(','));
    // what the web tier reads back from that environment
    const read = loadConfig({ THREADLINE_DATA_DIR: dataDir, ...web.env });
    assert.deepEqual(read.apiSockets, [path.join(dataDir, 'run', 'api-1.sock'), path.join(dataDir, 'run', 'api-2.sock')]);
  });

  it('falls back to TCP alone when the data directory is too deep for a socket address', () => {
    const deep = loadConfig({ THREADLINE_DATA_DIR: path.join(dataDir, 'x'.repeat(120)) });
    for (const spec of apiServices(deep, {})) assert.equal(spec.env?.THREADLINE_API_SOCKET, undefined, spec.name);
    const web = webService(deep, {}, ['http://127.0.0.1:8081', 'http://127.0.0.1:8083']);
    assert.equal(web.env?.THREADLINE_API_SOCKETS, ',');
    assert.deepEqual(loadConfig({ THREADLINE_DATA_DIR: dataDir, ...web.env }).apiSockets, [undefined, undefined]);
  });
});
