import { LakeInputError } from '@threadline/lake';

import type { SurveyFileLimits } from './inspect-file.js';
import { entryChunks, openArchive, type Archive } from './zip-entries.js';

const RATIO_FLOOR_BYTES = 1024 * 1024;

function bomb(message: string): LakeInputError {
  return new LakeInputError('SURVEY_ZIP_BOMB', message, 'file');
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
  let archive: Archive;
  try {
    archive = await openArchive(bytes);
  } catch (error) {
    throw new LakeInputError('SURVEY_NOT_SPREADSHEET', 'the file is not a readable .xlsx workbook (damaged archive)', 'file', { cause: error });
  }
  let total = 0;
  try {
    for (const [name, entry] of archive.entries) {
      if (name.endsWith('/')) continue;
      let inEntry = 0;
      const compressed = Math.max(1, entry.compressedSize);
      try {
        for await (const chunk of entryChunks(archive, entry)) {
          inEntry += chunk.length;
          total += chunk.length;
          if (total > limits.maxUncompressedBytes) {
            throw bomb(`the workbook expands to more than ${Math.round(limits.maxUncompressedBytes / 1024 / 1024)} MB (counted while unpacking "${name}")`);
          }
          if (inEntry > RATIO_FLOOR_BYTES && inEntry > compressed * limits.maxRatio) {
            throw bomb(`"${name}" expands more than ${limits.maxRatio}× — refused as a possible zip bomb`);
          }
        }
      } catch (error) {
        if (error instanceof LakeInputError) throw error;
        throw new LakeInputError('SURVEY_NOT_SPREADSHEET', `"${name}" cannot be unpacked (damaged archive)`, 'file', { cause: error });
      }
    }
  } finally {
    archive.zip.close();
  }
  return { uncompressedBytes: total };
}
