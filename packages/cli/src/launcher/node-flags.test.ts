import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';

import { loadConfig } from '@threadline/config';

import { TIER_SEMI_SPACE_MB, tierNodeFlags } from './node-flags.js';
import { CLI_BIN, apiServices, webService, workerServices } from './services.js';

/** The young generation (both semi-spaces, MB) a Node process started with `flags` reaches after churning short-lived objects. */
function youngGenerationMb(flags: string[]): number {
  const script = "const v8 = require('node:v8'); let keep = []; for (let i = 0; i < 3e6; i += 1) { keep.push({ i }); if (keep.length > 2e5) keep = []; } process.stdout.write(String(v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size / 1048576));";
  return Number(execFileSync(process.execPath, [...flags, '-e', script], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' }));
}

describe('tier Node flags', () => {
  it('gives the API and the web tier a larger young generation, the worker the default', () => {
    assert.deepEqual(tierNodeFlags('api', undefined), [`--max-semi-space-size=${TIER_SEMI_SPACE_MB.api}`]);
    assert.deepEqual(tierNodeFlags('web', undefined), [`--max-semi-space-size=${TIER_SEMI_SPACE_MB.web}`]);
    assert.deepEqual(tierNodeFlags('worker', undefined), []);
  });

  it('leaves the size to an operator who set one in NODE_OPTIONS (either spelling)', () => {
    assert.deepEqual(tierNodeFlags('api', '--max-old-space-size=512 --max-semi-space-size=8'), []);
    assert.deepEqual(tierNodeFlags('web', '--max_semi_space_size=8'), []);
    assert.deepEqual(tierNodeFlags('api', '--max-old-space-size=512'), [`--max-semi-space-size=${TIER_SEMI_SPACE_MB.api}`]);
  });

  it('puts the flags before the script in the launcher specs, so node (not the command) reads them', () => {
    const config = loadConfig({ THREADLINE_DATA_DIR: '/tmp/threadline-node-flags-test' });
    const [api] = apiServices(config, {});
    const web = webService(config, {}, ['http://127.0.0.1:1']);
    const [worker] = workerServices(config, {}, ['http://127.0.0.1:1']);
    assert.deepEqual(api?.args, [...tierNodeFlags('api'), CLI_BIN, 'api']);
    assert.deepEqual(web.args, [...tierNodeFlags('web'), CLI_BIN, 'web']);
    assert.deepEqual(worker?.args, [CLI_BIN, 'worker']);
  });

  it('is a flag this Node accepts and applies: the young generation grows past the default', () => {
    const flags = tierNodeFlags('api', undefined);
    const grown = youngGenerationMb(flags);
    assert.equal(grown, 2 * (TIER_SEMI_SPACE_MB.api ?? 0), `young generation with ${flags.join(' ')}`);
    assert.ok(youngGenerationMb([]) < grown, 'the default is smaller');
  });
});
