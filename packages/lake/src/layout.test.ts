import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isIsoDate } from '@threadline/domain';

import { isLakeError } from './errors.js';
import {
  datasetDir,
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
});
