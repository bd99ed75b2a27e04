import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

import { isIsoDate } from '@threadline/domain';

import { isLakeError } from './errors.js';
import {
  curatedDatasetGlob,
  datasetDir,
  hiveReadOptions,
  monthOf,
  monthPartition,
  hourPartitionOf,
  hourPartitionPath,
  lakeRoot,
  parseHourPartition,
  parsePartitionPath,
  partitionPath,
} from './layout.js';

describe('lake layout', () => {
  it('puts the lake under <dataDir>/lake with zones and datasets', () => {
    assert.equal(lakeRoot('/d'), '/d/lake');
    assert.equal(datasetDir('/d', 'raw', 'clickstream'), '/d/lake/raw/clickstream');
    assert.throws(() => datasetDir('/d', 'raw', '../etc'), isLakeError);
    // @ts-expect-error: not a zone
    assert.throws(() => datasetDir('/d', 'hot', 'clickstream'), isLakeError);
  });

  it('builds and parses dt=/hour= partitions by UTC event time', () => {
    const p = hourPartitionOf(Date.UTC(2026, 2, 8, 7, 59, 59));
    assert.deepEqual(p, { dt: '2026-03-08', hour: 7 });
    assert.equal(hourPartitionPath(p), 'dt=2026-03-08/hour=07');
    assert.deepEqual(parseHourPartition('raw/clickstream/dt=2026-03-08/hour=07/part-1.parquet'), p);
    assert.equal(parseHourPartition('curated/sales/dt=2026-03-08/x.parquet'), undefined);
  });

  it('rejects invalid dates, hours and values that could escape the lake', () => {
    assert.equal(isIsoDate('2026-02-29'), false);
    assert.equal(isIsoDate('2028-02-29'), true);
    assert.throws(() => partitionPath([{ key: 'dt', value: '2026-13-01' }]), /invalid dt/);
    assert.throws(() => partitionPath([{ key: 'hour', value: '24' }]), /invalid hour/);
    assert.throws(() => partitionPath([{ key: 'upload_date', value: '../x' }]), /invalid value/);
    assert.throws(() => partitionPath([{ key: 'Bad-Key', value: 'x' }]), /invalid partition key/);
    assert.throws(() => hourPartitionPath({ dt: '2026-01-01', hour: 24 }), isLakeError);
    assert.throws(() => parsePartitionPath('dt=2026-01-01/hour=99'), /invalid hour/);
  });

  it('keeps partition order and skips non key=value segments', () => {
    assert.deepEqual(parsePartitionPath('/x/lake/raw/survey/upload_date=2026-01-02/file.parquet'), [
      { key: 'upload_date', value: '2026-01-02' },
    ]);
  });

  it('names month partitions, checks their values and reads a converting dataset from its months only', () => {
    assert.equal(monthOf('2026-11-30'), '2026-11');
    assert.equal(monthPartition('2026-11'), 'month=2026-11');
    assert.throws(() => monthPartition('2026-13'), isLakeError);
    assert.throws(() => monthOf('2026-11'), isLakeError);
    assert.deepEqual(parsePartitionPath('curated/sales/month=2026-11/part-0.parquet'), [{ key: 'month', value: '2026-11' }]);
    assert.throws(() => parsePartitionPath('curated/sales/month=2026-1/part-0.parquet'), /invalid month/);
    assert.equal(hiveReadOptions(['month']), "hive_partitioning = true, hive_types = {'month': VARCHAR}");
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-layout-'));
    try {
      mkdirSync(path.join(dir, 'dt=2026-11-01'));
      assert.equal(curatedDatasetGlob(dir), path.join(dir, '*', '*.parquet'));
      assert.equal(curatedDatasetGlob(dir, { anyDepth: true }), path.join(dir, '**', '*.parquet'));
      mkdirSync(path.join(dir, 'month=2026-11'));
      assert.equal(curatedDatasetGlob(dir), path.join(dir, 'month=*', '*.parquet'));
      assert.equal(curatedDatasetGlob(dir, { anyDepth: true }), path.join(dir, 'month=*', '**', '*.parquet'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
