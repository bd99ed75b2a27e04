/**
 * Lines of a text stream, a chunk's worth at a time: the same lines as `node:readline` with
 * `crlfDelay: Infinity` (`\n`, `\r\n` and a lone `\r` end a line; empty lines are lines; a last
 * line without an ending is one if it is not empty), without readline's event and promise per
 * line, which cost about as much as parsing a log line.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Pushes the lines of `segment` (text that ended with `\n`, without it) onto `lines`. */
function pushEnded(lines: string[], segment: string): void {
  if (segment.indexOf('\r') === -1) {
    lines.push(segment);
    return;
  }
  const parts = segment.split('\r');
  // a `\r` just before the `\n` is part of one `\r\n` line ending
  if (segment.endsWith('\r')) parts.pop();
  for (const part of parts) lines.push(part);
}

/**
 * Yields the lines of `input` (UTF-8) in batches, one batch per chunk read; a line split across
 * chunks (or a `\r\n` split between them) comes whole in a later batch.
 *
 * @example
 * for await (const batch of lineBatches(createReadStream(file))) for (const line of batch) count += 1;
 */
export function lineBatches(input: Readable): AsyncGenerator<string[]> {
  // the reader is attached now, not at the first batch asked for: a flowing stream would drop data
  const chunks: AsyncIterator<Buffer | string> = input[Symbol.asyncIterator]();
  return batchesOf({ [Symbol.asyncIterator]: () => chunks });
}

async function* batchesOf(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of chunks) {
    const text = carry + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    const lines: string[] = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      pushEnded(lines, text.slice(start, end));
      start = end + 1;
    }
    carry = text.slice(start);
    if (lines.length > 0) yield lines;
  }
  const rest = carry + decoder.end();
  if (rest.length === 0) return;
  // no `\n` after the last chunk: lone `\r`s still end lines, and a last empty part is no line
  const lines = rest.split('\r');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length > 0) yield lines;
}
