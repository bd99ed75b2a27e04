import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { openDuckDb, sqlLiteral } from '@threadline/lake';

import { findDuplicateKeys } from './curated-keys.js';

describe('findDuplicateKeys (the acceptance suite key check)', () => {
  let lake: string;
  before(async () => {
    lake = await mkdtemp(path.join(tmpdir(), 'curated-keys-'));
    const db = await openDuckDb({ threads: 1 });
    try {
      for (const [dataset, select] of [
        ['product_day', 'SELECT range AS product_id, 0 AS units_sold FROM range(1, 4)'],
        ['sales', 'SELECT range AS order_item_id FROM range(1, 4)'],
      ] as const) {
        const dir = path.join(lake, 'curated', dataset, 'dt=2026-11-01');
        await mkdir(dir, { recursive: true });
        await db.run(`COPY (${select}) TO ${sqlLiteral(path.join(dir, 'part-0.parquet'))} (FORMAT parquet)`);
      }
    } finally {
      db.close();
    }
  });
  after(async () => {
    await rm(lake, { recursive: true, force: true });
  });

  it('passes a lake whose keys are unique', async () => {
    const result = await findDuplicateKeys(lake);
    assert.deepEqual(result.checked.sort(), ['product_day', 'sales']);
    assert.deepEqual(result.duplicates, []);
  });

  it('names the dataset when a partition holds a key twice', async () => {
    const dir = path.join(lake, 'curated', 'product_day', 'dt=2026-11-01');
    await copyFile(path.join(dir, 'part-0.parquet'), path.join(dir, 'part-1.parquet'));
    const result = await findDuplicateKeys(lake);
    assert.deepEqual(result.duplicates, [{ dataset: 'product_day', rows: 6, distinctKeys: 3 }]);
  });
});
