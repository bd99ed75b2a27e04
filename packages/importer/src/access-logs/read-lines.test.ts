import assert from 'node:assert/strict';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';

import { lineBatches } from './read-lines.js';

async function readlineLines(chunks: Buffer[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: Readable.from(chunks), crlfDelay: Number.POSITIVE_INFINITY })) lines.push(line);
  return lines;
}

async function batchedLines(chunks: Buffer[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of lineBatches(Readable.from(chunks))) lines.push(...batch);
  return lines;
}

/** `text` as UTF-8 chunks cut every `size` bytes (through multi-byte characters and `\r\n`). */
function cut(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

describe('lines of a stream in batches', () => {
  const texts = [
    'a\nb\nc\n',
    'a\nb\nc',
    'a\r\nb\r\n\r\nc',
    'one\rtwo\r\rthree\r',
    '\n\n\nx\n\n',
    '\r\n\r',
    'é/ü ☃ 𝄞\r\n203.0.113.9 - - [10/Oct/2023:13:55:36 -0700] "GET /ümlaut HTTP/1.1" 200 5\n\rlast',
    '',
    'no ending at all',
    'ends with a return\r',
  ];
  it('gives the same lines as readline with crlfDelay Infinity, however the bytes are cut', async () => {
    for (const text of texts) {
      for (const size of [1, 2, 3, 5, 7, 64, 1 << 16]) {
        const chunks = cut(text, size);
        assert.deepEqual(await batchedLines(chunks), await readlineLines(cut(text, size)), `${JSON.stringify(text)} in chunks of ${size}`);
      }
    }
  });

  it('keeps the empty lines (they count in line numbers) and joins a line cut across chunks', async () => {
    assert.deepEqual(await batchedLines([Buffer.from('first\n\nsec'), Buffer.from('ond\r'), Buffer.from('\nthird')]), ['first', '', 'second', 'third']);
  });
});
