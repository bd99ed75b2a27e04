import type { Readable } from 'node:stream';

import yauzl, { type Entry, type ZipFile } from 'yauzl';

import { LakeInputError } from '@threadline/lake';

import type { SurveyFileLimits } from './inspect-file.js';

const RATIO_FLOOR_BYTES = 1024 * 1024;

function nextEntry(zip: ZipFile): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const onEntry = (entry: Entry): void => {
      zip.off('end', onEnd);
      zip.off('error', onError);
      resolve(entry);
    };
    const onEnd = (): void => {
      zip.off('entry', onEntry);
      zip.off('error', onError);
      resolve(undefined);
    };
    const onError = (error: Error): void => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      reject(error);
    };
    zip.once('entry', onEntry);
    zip.once('end', onEnd);
    zip.once('error', onError);
    zip.readEntry();
  });
}

function bomb(message: string, cause?: unknown): LakeInputError {
  return new LakeInputError('SURVEY_ZIP_BOMB', message, 'file', cause === undefined ? undefined : { cause });
}

/**
 * Inflates every entry of an .xlsx archive and counts the bytes that really come out, stopping as
 * soon as the total passes `maxUncompressedBytes` or one large entry passes `maxRatio` × its
 * compressed size. The sizes an archive declares are not trusted: yauzl (`validateEntrySizes`)
 * fails an entry that inflates to more than it declared, so a sharedStrings.xml declared as 4 kB
 * that is 1 GB in fact stops after its first few kilobytes — before any parser sees it. Nothing is
 * kept in memory but one chunk at a time.
 *
 * @example
 * await measureArchive(bytes, DEFAULT_SURVEY_LIMITS); // throws SURVEY_ZIP_BOMB when it expands too far
 */
export async function measureArchive(bytes: Buffer, limits: SurveyFileLimits): Promise<{ uncompressedBytes: number }> {
  let zip: ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
  } catch (error) {
    throw new LakeInputError('SURVEY_NOT_SPREADSHEET', 'the file is not a readable .xlsx workbook (damaged archive)', 'file', { cause: error });
  }
  let total = 0;
  try {
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      if (entry.fileName.endsWith('/')) continue;
      const name = entry.fileName;
      const stream: Readable = await zip.openReadStreamPromise(entry);
      let inEntry = 0;
      const compressed = Math.max(1, entry.compressedSize);
      try {
        for await (const chunk of stream) {
          // chunks of a byte stream are Buffers
          const length = (chunk as Buffer).length;
          inEntry += length;
          total += length;
          if (total > limits.maxUncompressedBytes) {
            throw bomb(`the workbook expands to more than ${Math.round(limits.maxUncompressedBytes / 1024 / 1024)} MB (counted while unpacking "${name}")`);
          }
          if (inEntry > RATIO_FLOOR_BYTES && inEntry > compressed * limits.maxRatio) {
            throw bomb(`"${name}" expands more than ${limits.maxRatio}× — refused as a possible zip bomb`);
          }
        }
      } catch (error) {
        stream.destroy();
        if (error instanceof LakeInputError) throw error;
        // yauzl: the entry inflates to more (or fewer) bytes than the archive declares
        throw bomb(`"${name}" does not match the size the archive declares — refused as a possible zip bomb`, error);
      }
    }
  } finally {
    zip.close();
  }
  return { uncompressedBytes: total };
}
