import type { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';

import yauzl, { type Entry, type ZipFile } from 'yauzl';

import { LakeInputError } from '@threadline/lake';

export interface Archive {
  zip: ZipFile;
  entries: Map<string, Entry>;
}

export async function openArchive(bytes: Buffer): Promise<Archive> {
  const zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
  const entries = new Map<string, Entry>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: Entry) => {
      entries.set(entry.fileName.replace(/^\/+/, ''), entry);
      zip.readEntry();
    });
    zip.once('end', resolve);
    zip.once('error', reject);
    zip.readEntry();
  });
  return { zip, entries };
}

/** Inflated bytes handed to the tokenizer at a time: few, large chunks keep the hand-offs cheap. */
const INFLATE_CHUNK_BYTES = 1024 * 1024;

/**
 * The inflated content of an entry, chunk by chunk. Never more than the entry declares: an entry
 * that inflates past its declared size is refused (a zip bomb's lie), as yauzl's own check does.
 */
export async function* entryChunks(archive: Archive, entry: Entry): AsyncGenerator<Buffer> {
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) throw new Error(`"${entry.fileName}" uses an unsupported compression method`);
  const raw: Readable = await archive.zip.openReadStreamPromise(entry, { decompress: false });
  const content: Readable = entry.compressionMethod === 8 ? raw.pipe(createInflateRaw({ chunkSize: INFLATE_CHUNK_BYTES })) : raw;
  raw.once('error', (error: Error) => content.destroy(error));
  let total = 0;
  try {
    for await (const chunk of content) {
      // chunks of a byte stream are Buffers
      const bytes = chunk as Buffer;
      total += bytes.length;
      if (total > entry.uncompressedSize) throw new LakeInputError('SURVEY_ZIP_BOMB', `"${entry.fileName}" inflates to more than the archive declares — refused as a possible zip bomb`, 'file');
      yield bytes;
    }
    if (total !== entry.uncompressedSize) throw new LakeInputError('SURVEY_ZIP_BOMB', `"${entry.fileName}" does not match the size the archive declares — refused as a possible zip bomb`, 'file');
  } finally {
    content.destroy();
    raw.destroy();
  }
}

