import { existsSync } from 'node:fs';
import path from 'node:path';

import { curatedDatasetGlob, openDuckDb, sqlLiteral } from '@threadline/lake';
import { DATASET_KEYS, type CuratedDataset } from '@threadline/pipeline';

export interface DuplicateKeys {
  dataset: CuratedDataset;
  rows: number;
  distinctKeys: number;
}

/**
 * Reads every published partition of every curated dataset straight from the lake's Parquet files
 * (day or month partitions: `dt` is the folder's key or a column of the file) and returns the
 * datasets whose declared key (DATASET_KEYS) is not unique.
 */
export async function findDuplicateKeys(lakeDir: string): Promise<{ checked: CuratedDataset[]; duplicates: DuplicateKeys[] }> {
  const db = await openDuckDb({ threads: 1 });
  const checked: CuratedDataset[] = [];
  const duplicates: DuplicateKeys[] = [];
  try {
    for (const [name, key] of Object.entries(DATASET_KEYS)) {
      // Object.entries loses the key type; the keys are exactly CuratedDataset
      const dataset = name as CuratedDataset;
      const dir = path.join(lakeDir, 'curated', dataset);
      if (!existsSync(dir)) continue;
      const columns = key.map((column) => `"${column}"`).join(', ');
      const [row] = await db.all<{ rows: number; keys: number }>(
        `SELECT count(*)::BIGINT AS rows, count(DISTINCT (${columns}))::BIGINT AS keys
           FROM read_parquet(${sqlLiteral(curatedDatasetGlob(dir))}, hive_partitioning = true)`,
      );
      checked.push(dataset);
      const rows = Number(row?.rows ?? 0);
      const distinctKeys = Number(row?.keys ?? 0);
      if (rows !== distinctKeys) duplicates.push({ dataset, rows, distinctKeys });
    }
  } finally {
    db.close();
  }
  return { checked, duplicates };
}
