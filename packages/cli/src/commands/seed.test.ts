import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';

import { POST_SEED_STEPS } from './seed-steps.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/threadline.mjs', import.meta.url));

let db: TestDatabase;
let dataDir: string;

async function threadline(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      // post-seed steps stay small here (the clickstream step writes 1M events by default)
      env: { ...process.env, DATABASE_URL: db.url, THREADLINE_DATA_DIR: dataDir, THREADLINE_SEED: '5', THREADLINE_DEMO_EVENTS: '2000' },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string }; // execFile's error carries the exit code and output
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

before(async () => {
  db = await createTestDatabase();
  dataDir = mkdtempSync(path.join(tmpdir(), 'threadline-seed-cli-'));
});

after(async () => {
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('threadline seed', () => {
  it('documents its options in --help', async () => {
    const result = await threadline('seed', '--help');
    assert.equal(result.code, 0);
    for (const option of ['--seed', '--products', '--customers', '--days', '--if-empty', '--reset', '--no-images']) assert.match(result.stdout, new RegExp(option));
  });

  it('rejects a size that is not a whole number, naming the option', async () => {
    const result = await threadline('seed', '--products', 'many');
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /--products takes a whole number/);
  });

  it('seeds with progress output, writes the marker, then does nothing with --if-empty and refuses without it', async () => {
    const first = await threadline('seed', '--products', '30', '--customers', '60', '--days', '7', '--no-images');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /catalogue: 30 products/);
    assert.match(first.stdout, /orders: /);
    assert.match(first.stdout, /content hash [0-9a-f]{64}/);
    for (const step of POST_SEED_STEPS) assert.match(first.stdout, new RegExp(`${step.name}: done in`), `post-seed step ${step.name} ran`);
    const { rows } = await db.pool.query<{ value: { seed: number; counts: { products: number } } }>(`SELECT value FROM app_meta WHERE key = 'seed'`);
    assert.equal(rows[0]?.value.seed, 5, 'THREADLINE_SEED is the default seed');
    assert.equal(rows[0]?.value.counts.products, 30);

    const skipped = await threadline('seed', '--if-empty');
    assert.equal(skipped.code, 0);
    assert.match(skipped.stdout, /nothing to do: demo data already loaded \(seed 5/);

    const refused = await threadline('seed', '--products', '30', '--no-images');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /SHOP_NOT_EMPTY/);
  });

  it('replaces the data with --reset and reports JSON with --format json', async () => {
    const result = await threadline('seed', '--reset', '--seed', '9', '--products', '20', '--customers', '40', '--days', '5', '--no-images', '--format', 'json');
    assert.equal(result.code, 0, result.stderr);
    const summary: unknown = JSON.parse(result.stdout);
    assert.ok(typeof summary === 'object' && summary !== null && 'status' in summary && summary.status === 'seeded');
    const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM products`);
    assert.equal(rows[0]?.n, 20);
  });
});
