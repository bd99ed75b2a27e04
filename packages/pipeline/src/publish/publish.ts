import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { ZONE_DIRS, type LakeMirror } from '@threadline/lake';

/** One partition to put in place: a complete folder in staging becomes `curated/<dataset>/<partition>`. */
export interface PublishItem {
  dataset: string;
  /**
   * e.g. `month=2026-11` (products: `dt=2026-11-24`); `''` swaps the whole dataset folder — a
   * dataset converted from day to month partitions, whose `dt=` folders all retire with it.
   */
  partition: string;
  stagedDir: string;
}

/** What a publish did, enough to finish it, undo it or recover it after a crash. */
export interface PublishJournal {
  runId: string;
  items: Array<PublishItem & { finalDir: string; trashDir: string }>;
}

const JOURNAL_DIR = '_journal';
const TRASH_DIR = '_trash';

function journalPath(lakeDir: string, runId: string): string {
  return path.join(lakeDir, JOURNAL_DIR, `${runId}.json`);
}

/** True while a run's publish journal is on disk: its staged folders are still needed by `recoverPublishes`. */
export function isPublishPending(lakeDir: string, runId: string): boolean {
  return existsSync(journalPath(lakeDir, runId));
}

/** Test hook: called before each rename so a test can simulate a crash at any point. */
export type PublishFault = (step: { index: number; action: 'retire-old' | 'move-new' }) => void;

async function moveInto(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  await rename(from, to);
}

/**
 * Completes every item of a journal; safe to call again at any point (each rename is checked
 * first). Readers see a partition as either the old folder or the new one: files are never mixed
 * because a partition is swapped as a whole folder, never file by file.
 */
async function rollForward(journal: PublishJournal, fault?: PublishFault): Promise<void> {
  for (const [index, item] of journal.items.entries()) {
    if (!existsSync(item.stagedDir)) continue; // already moved in
    if (existsSync(item.finalDir)) {
      fault?.({ index, action: 'retire-old' });
      await moveInto(item.finalDir, item.trashDir);
    }
    fault?.({ index, action: 'move-new' });
    await moveInto(item.stagedDir, item.finalDir);
  }
}

/**
 * Publishes staged partitions. Writes a journal first (so a crash is recovered by
 * `recoverPublishes`), then swaps each partition folder with two renames on the same file system.
 * The replaced folders are kept until `finishPublish` (after the post-publish quality check) or
 * restored by `undoPublish`.
 *
 * @example
 * const journal = await publishPartitions(lakeDir, 'run-7', items);
 * if (await postChecksPass()) await finishPublish(lakeDir, journal); else await undoPublish(lakeDir, journal);
 */
export async function publishPartitions(
  lakeDir: string,
  runId: string,
  items: readonly PublishItem[],
  options: { fault?: PublishFault } = {},
): Promise<PublishJournal> {
  const journal: PublishJournal = {
    runId,
    items: items.map((item) => ({
      ...item,
      finalDir: path.join(lakeDir, ZONE_DIRS.curated, item.dataset, item.partition),
      trashDir: path.join(lakeDir, TRASH_DIR, runId, item.dataset, item.partition),
    })),
  };
  await mkdir(path.join(lakeDir, JOURNAL_DIR), { recursive: true });
  const file = journalPath(lakeDir, runId);
  await writeFile(`${file}.tmp`, JSON.stringify(journal));
  await rename(`${file}.tmp`, file);
  await rollForward(journal, options.fault);
  return journal;
}

/** Drops the replaced partitions and the journal: the publish is final. */
export async function finishPublish(lakeDir: string, journal: PublishJournal): Promise<void> {
  await rm(path.join(lakeDir, TRASH_DIR, journal.runId), { recursive: true, force: true });
  await rm(journalPath(lakeDir, journal.runId), { force: true });
}

/** Puts the previous partitions back (post-publish check failed); partitions that were new are removed. */
export async function undoPublish(lakeDir: string, journal: PublishJournal): Promise<void> {
  for (const item of journal.items) {
    if (!existsSync(item.finalDir) && !existsSync(item.trashDir)) continue;
    if (existsSync(item.finalDir)) await rm(item.finalDir, { recursive: true, force: true });
    if (existsSync(item.trashDir)) await moveInto(item.trashDir, item.finalDir);
  }
  await finishPublish(lakeDir, journal);
}

/**
 * Makes the lake's storage match the local curated partitions a journal names (after a publish,
 * an undo or a recovery). On local storage the renames already were the publish: nothing to do.
 * On S3 each partition's files are put (one atomic PUT per object, fixed file names, so a file is
 * replaced in place) and the partition's keys the new version lacks are deleted afterwards.
 */
export async function uploadPublished(lake: LakeMirror, journal: PublishJournal): Promise<number> {
  let files = 0;
  for (const item of journal.items) {
    const prefix = `${ZONE_DIRS.curated}/${item.dataset}/`;
    files += (item.partition === '' ? await lake.uploadDataset(prefix) : await lake.upload(`${prefix}${item.partition}/`)).put;
  }
  return files;
}

function isJournal(value: unknown): value is PublishJournal {
  return typeof value === 'object' && value !== null && 'runId' in value && 'items' in value && Array.isArray(value.items);
}

/**
 * Finishes publishes interrupted by a crash (called before every run and at worker start): the
 * staged data had passed the quality gate, so completing is the right direction. Given the
 * lake's mirror, the completed partitions are uploaded too (S3).
 * Returns the run ids recovered.
 */
export async function recoverPublishes(lake: string | LakeMirror): Promise<string[]> {
  const lakeDir = typeof lake === 'string' ? lake : lake.root;
  const dir = path.join(lakeDir, JOURNAL_DIR);
  if (!existsSync(dir)) return [];
  const recovered: string[] = [];
  for (const name of await readdir(dir)) {
    const file = path.join(dir, name);
    if (name.endsWith('.tmp')) {
      await rm(file, { force: true }); // the journal itself was never complete: nothing was moved
      continue;
    }
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (!isJournal(parsed)) continue;
    await rollForward(parsed);
    if (typeof lake !== 'string') await uploadPublished(lake, parsed);
    await finishPublish(lakeDir, parsed);
    recovered.push(parsed.runId);
  }
  return recovered;
}
