import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { finishPublish, publishPartitions, recoverPublishes, undoPublish, type PublishItem } from './publish.js';

let lake: string;

function writePartition(dir: string, label: string, files = 2): void {
  mkdirSync(dir, { recursive: true });
  for (let index = 0; index < files; index += 1) writeFileSync(path.join(dir, `part-${index}.parquet`), `${label}-${index}`);
}

/** The labels of the files a reader would see in a partition ("old", "new", or a mix). */
function visible(dataset: string, partition: string): string[] {
  const dir = path.join(lake, 'curated', dataset, partition);
  if (!existsSync(dir)) return [];
  return [...new Set(readdirSync(dir).map((file) => readFileSync(path.join(dir, file), 'utf8').split('-')[0] ?? ''))];
}

function stage(runId: string, partitions: string[]): PublishItem[] {
  return partitions.map((partition) => {
    const stagedDir = path.join(lake, 'staging', runId, 'sales', partition);
    writePartition(stagedDir, 'new', 3);
    return { dataset: 'sales', partition, stagedDir };
  });
}

beforeEach(() => {
  lake = mkdtempSync(path.join(os.tmpdir(), 'tl-publish-'));
  writePartition(path.join(lake, 'curated', 'sales', 'dt=2026-11-23'), 'old');
  writePartition(path.join(lake, 'curated', 'sales', 'dt=2026-11-24'), 'old');
});

afterEach(() => rmSync(lake, { recursive: true, force: true }));

describe('atomic partition publish', () => {
  it('replaces whole partitions and leaves no bookkeeping behind once finished', async () => {
    const journal = await publishPartitions(lake, 'run-1', stage('run-1', ['dt=2026-11-24', 'dt=2026-11-25']));
    await finishPublish(lake, journal);
    assert.deepEqual(visible('sales', 'dt=2026-11-24'), ['new']);
    assert.deepEqual(visible('sales', 'dt=2026-11-25'), ['new']);
    assert.deepEqual(visible('sales', 'dt=2026-11-23'), ['old'], 'untouched partitions stay');
    assert.equal(readdirSync(path.join(lake, 'curated', 'sales', 'dt=2026-11-24')).length, 3, 'no old file survives beside the new ones');
    assert.deepEqual(readdirSync(path.join(lake, '_journal')), []);
    assert.equal(existsSync(path.join(lake, '_trash', 'run-1')), false);
  });

  it('undo puts the previous partitions back and removes partitions that were new', async () => {
    const journal = await publishPartitions(lake, 'run-2', stage('run-2', ['dt=2026-11-24', 'dt=2026-11-25']));
    await undoPublish(lake, journal);
    assert.deepEqual(visible('sales', 'dt=2026-11-24'), ['old']);
    assert.deepEqual(visible('sales', 'dt=2026-11-25'), []);
  });

  for (const crashAt of [
    { index: 0, action: 'retire-old' as const },
    { index: 0, action: 'move-new' as const },
    { index: 1, action: 'retire-old' as const },
    { index: 1, action: 'move-new' as const },
  ]) {
    it(`a crash before ${crashAt.action} of item ${crashAt.index} never shows a mix, and recovery completes the new data`, async () => {
      const items = stage('run-3', ['dt=2026-11-23', 'dt=2026-11-24']);
      await assert.rejects(
        publishPartitions(lake, 'run-3', items, {
          fault: (step) => {
            if (step.index === crashAt.index && step.action === crashAt.action) throw new Error('simulated crash');
          },
        }),
        /simulated crash/,
      );
      for (const partition of ['dt=2026-11-23', 'dt=2026-11-24']) {
        const seen = visible('sales', partition);
        assert.ok(seen.length <= 1, `partition ${partition} shows ${seen.join('+')}`);
      }
      assert.deepEqual(await recoverPublishes(lake), ['run-3']);
      assert.deepEqual(visible('sales', 'dt=2026-11-23'), ['new']);
      assert.deepEqual(visible('sales', 'dt=2026-11-24'), ['new']);
      assert.deepEqual(await recoverPublishes(lake), [], 'recovery is done once');
    });
  }

  it('swaps a whole dataset folder (a conversion to month partitions): day folders retire with it, come back on undo, and a crash between the renames is completed', async () => {
    const months = (runId: string): PublishItem[] => {
      const stagedDir = path.join(lake, 'staging', runId, 'sales');
      writePartition(path.join(stagedDir, 'month=2026-11'), 'new', 1);
      return [{ dataset: 'sales', partition: '', stagedDir }];
    };
    const journal = await publishPartitions(lake, 'run-5', months('run-5'));
    assert.deepEqual(readdirSync(path.join(lake, 'curated', 'sales')), ['month=2026-11'], 'no day folder beside the months');
    assert.deepEqual(visible('sales', 'month=2026-11'), ['new']);
    await undoPublish(lake, journal);
    assert.deepEqual(readdirSync(path.join(lake, 'curated', 'sales')), ['dt=2026-11-23', 'dt=2026-11-24']);
    assert.deepEqual(visible('sales', 'dt=2026-11-23'), ['old']);

    await assert.rejects(
      publishPartitions(lake, 'run-6', months('run-6'), {
        fault: ({ action }) => {
          if (action === 'move-new') throw new Error('crash');
        },
      }),
      /crash/,
    );
    assert.equal(existsSync(path.join(lake, 'curated', 'sales')), false, 'between the two renames');
    assert.deepEqual(await recoverPublishes(lake), ['run-6']);
    assert.deepEqual(readdirSync(path.join(lake, 'curated', 'sales')), ['month=2026-11']);
    assert.deepEqual(readdirSync(path.join(lake, '_journal')), []);
  });
});
