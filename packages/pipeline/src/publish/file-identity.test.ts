import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { diffPartitionFiles, recordPartitionFiles, type PartitionFolder } from './file-identity.js';

let root: string;

function folders(zone: string): PartitionFolder[] {
  return ['dt=2026-11-19', 'dt=2026-11-20'].map((partition) => ({ key: `sales/${partition}`, dir: path.join(root, zone, 'sales', partition) }));
}

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'tl-identity-'));
  for (const folder of folders('staging')) {
    mkdirSync(folder.dir, { recursive: true });
    writeFileSync(path.join(folder.dir, 'part-0.parquet'), `rows of ${folder.key}`);
  }
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Moves the staged partition folders into curated/ the way publish does: one rename each. */
function publish(): void {
  const published = folders('curated');
  folders('staging').forEach((staged, index) => {
    const target = published[index]?.dir ?? '';
    mkdirSync(path.dirname(target), { recursive: true });
    renameSync(staged.dir, target);
  });
}

describe('published files are the files that passed the gate', () => {
  it('a folder rename keeps every file identical, and bookkeeping files beside the data are ignored', async () => {
    const gated = await recordPartitionFiles(folders('staging'));
    assert.deepEqual([...gated.keys()], ['sales/dt=2026-11-19/part-0.parquet', 'sales/dt=2026-11-20/part-0.parquet']);
    publish();
    writeFileSync(path.join(root, 'curated', 'sales', 'dt=2026-11-20', '_current.json'), '{}');
    assert.deepEqual(diffPartitionFiles(gated, await recordPartitionFiles(folders('curated'))), []);
  });

  it('names a file written to after the gate, even with its size and modification time put back', async () => {
    const gated = await recordPartitionFiles(folders('staging'));
    const file = path.join(folders('staging')[0]?.dir ?? '', 'part-0.parquet');
    writeFileSync(file, 'ROWS OF sales/dt=2026-11-19'); // same length
    utimesSync(file, new Date(), new Date(Number((gated.get('sales/dt=2026-11-19/part-0.parquet')?.mtimeNs ?? 0n) / 1_000_000n)));
    publish();
    assert.deepEqual(diffPartitionFiles(gated, await recordPartitionFiles(folders('curated'))), ['sales/dt=2026-11-19/part-0.parquet was modified']);
  });

  it('names files replaced, grown, missing or added', async () => {
    const gated = await recordPartitionFiles(folders('staging'));
    const [first, second] = folders('staging').map((folder) => folder.dir);
    copyFileSync(path.join(first ?? '', 'part-0.parquet'), path.join(root, 'copy.parquet'));
    renameSync(path.join(root, 'copy.parquet'), path.join(first ?? '', 'part-0.parquet'));
    appendFileSync(path.join(second ?? '', 'part-0.parquet'), ' and one more');
    writeFileSync(path.join(second ?? '', 'part-1.parquet'), 'stray rows');
    assert.deepEqual(diffPartitionFiles(gated, await recordPartitionFiles(folders('staging'))), [
      'sales/dt=2026-11-19/part-0.parquet was replaced by another file',
      'sales/dt=2026-11-20/part-0.parquet changed size (27 → 40 bytes)',
      'sales/dt=2026-11-20/part-1.parquet was added',
    ]);
    rmSync(second ?? '', { recursive: true });
    assert.deepEqual(diffPartitionFiles(gated, await recordPartitionFiles(folders('staging'))), [
      'sales/dt=2026-11-19/part-0.parquet was replaced by another file',
      'sales/dt=2026-11-20/part-0.parquet is missing',
    ]);
  });
});
