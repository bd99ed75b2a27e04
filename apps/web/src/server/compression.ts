/**
 * Response compression at the web tier, as a CDN or nginx would do it in front of the shop.
 * Built assets are compressed once at build time (vite-plugin-compression2 writes .br and .gz
 * beside each file, at the highest levels) and sent as they are by @fastify/static; everything
 * made per request (pages, API JSON passing through, sitemap) is compressed on the way out at a
 * level cheap enough to keep the proxy fast: brotli quality 4 (the plugin's default), gzip 6.
 */
import { hash } from 'node:crypto';
import { brotliCompressSync, constants, createBrotliCompress, createGzip, gzipSync, type BrotliOptions, type ZlibOptions } from 'node:zlib';
import type { Transform } from 'node:stream';

import negotiate from '@fastify/accept-negotiator';
import compress from '@fastify/compress';
import type { FastifyInstance } from 'fastify';
import { LRUCache } from 'lru-cache';
import mimeDb from 'mime-db/db.json' with { type: 'json' };

/** Smaller answers gain less than the compression header and CPU cost. */
export const COMPRESSION_THRESHOLD_BYTES = 1024;

/** Levels for answers compressed per request (cheap enough for the proxy path). */
export const BROTLI_QUALITY = 4;
export const GZIP_LEVEL = 6;

export type ContentCoding = 'br' | 'gzip';

/** The codings answers are compressed with, in order of preference (given to the plugin as they are). */
const CODINGS: ContentCoding[] = ['br', 'gzip'];

/** Brotli and gzip settings of every answer compressed per request (the plugin's and the fast path's). */
export const BROTLI_OPTIONS: BrotliOptions = { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY } };
export const GZIP_OPTIONS: ZlibOptions = { level: GZIP_LEVEL };

/** `*` (no preference) and `x-gzip` read as gzip, as the compression plugin reads them. */
const GZIP_ALIASES = /\*|x-gzip/gu;

/**
 * The coding to send for this Accept-Encoding: the one the compression plugin negotiates — the
 * same negotiator (@fastify/accept-negotiator: the highest q-value, brotli before gzip at equal
 * q), over the same codings, with `*` and `x-gzip` read as gzip; none for `identity`, an absent
 * header, or both refused with `q=0`. The fast path and the micro-cache's encoded bodies use it,
 * so they choose what the full path's plugin chooses.
 *
 * @example
 * negotiateCoding('gzip, deflate, br'); // 'br'
 * negotiateCoding('br;q=0, gzip');      // 'gzip'
 * negotiateCoding('gzip;q=1, br;q=0.5'); // 'gzip'
 */
export function negotiateCoding(acceptEncoding: string | undefined): ContentCoding | undefined {
  if (acceptEncoding === undefined) return undefined;
  return negotiate(acceptEncoding.toLowerCase().replace(GZIP_ALIASES, 'gzip'), CODINGS) ?? undefined;
}

/** Types the plugin's defaults compress (text but event streams, JSON, XML, …) — its own default rule. */
const COMPRESSIBLE_TYPES = /^text\/(?!event-stream)|(?:\+|\/)json(?:;|$)|(?:\+|\/)text(?:;|$)|(?:\+|\/)xml(?:;|$)|octet-stream(?:;|$)/u;

/** The types mime-db marks compressible (the plugin's own lookup after its pattern). */
const COMPRESSIBLE_MIME_TYPES: ReadonlySet<string> = new Set(
  Object.entries(mimeDb)
    .filter(([, entry]) => 'compressible' in entry && entry.compressible === true)
    .map(([type]) => type),
);

/**
 * Whether an answer of this Content-Type is compressed: the pattern above or a type mime-db marks
 * compressible. Given to the plugin (customTypes) and used by the fast path — one rule for both.
 * An answer without a type is judged as application/json, as the plugin judges it.
 */
export function isCompressibleType(contentType: string | undefined): boolean {
  const type = contentType || 'application/json';
  if (COMPRESSIBLE_TYPES.test(type)) return true;
  return COMPRESSIBLE_MIME_TYPES.has(type.split(';', 1)[0]?.trim().toLowerCase() ?? '');
}

/**
 * The Vary of a compressed answer: `accept-encoding` added to the answer's own values unless one
 * of them names it already, as the plugin's setVaryHeader does.
 */
export function varyWithAcceptEncoding(values: readonly string[]): string {
  if (values.length === 0) return 'accept-encoding';
  if (values.some((value) => value.includes('accept-encoding'))) return values.join(', ');
  return [...values, 'accept-encoding'].join(', ');
}

/** A body that starts as gzip or zlib data: the plugin sends it as it is (under a Content-Encoding). */
export function looksCompressed(body: Buffer): boolean {
  if (body.length > 2 && body[0] === 0x1f && body[1] === 0x8b && body[2] === 0x08) return true;
  const first = body[0] ?? 0;
  return body.length > 1 && (first & 0x0f) === 0x08 && (first & 0x80) === 0 && ((first << 8) + (body[1] ?? 0)) % 31 === 0;
}

/** What `mayCompress` looks at: the request's head and the answer's status, head and body size. */
export interface CompressionCase {
  requestHeaders: Readonly<Record<string, string | string[] | undefined>>;
  statusCode: number;
  answerHeaders: Readonly<Record<string, unknown>>;
  bodyBytes: number;
}

/**
 * Whether the compression plugin registered by `registerCompression` might change this answer on
 * its way out. False only when it certainly leaves it as it is — the answer is already encoded, is
 * under the threshold, is partial content, or the request accepts no encoding (no Accept-Encoding,
 * or X-No-Compression) — mirroring the checks of @fastify/compress's `onSend` hook; anything else
 * (the negotiated coding, the content type) is left for the plugin to decide.
 *
 * @example
 * mayCompress({ requestHeaders: {}, statusCode: 200, answerHeaders: {}, bodyBytes: 10_000 });                                 // false: nothing accepted
 * mayCompress({ requestHeaders: { 'accept-encoding': 'br' }, statusCode: 200, answerHeaders: {}, bodyBytes: 10_000 });  // true
 */
export function mayCompress(answer: CompressionCase): boolean {
  const encoding = answer.answerHeaders['content-encoding'];
  // as the plugin tests it, every value but an empty one or `identity` means already encoded
  if (encoding && encoding !== 'identity') return false;
  if (answer.bodyBytes < COMPRESSION_THRESHOLD_BYTES) return false;
  if (answer.statusCode === 206 || answer.answerHeaders['content-range'] !== undefined) return false;
  return answer.requestHeaders['accept-encoding'] !== undefined && answer.requestHeaders['x-no-compression'] === undefined;
}

/** Compresses a whole answer body with the levels above. */
export function compressBody(body: Buffer, coding: ContentCoding): Buffer {
  return coding === 'br'
    ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
    : gzipSync(body, { level: GZIP_LEVEL });
}

/**
 * The coding the full path's compression gives this answer, or undefined when it sends it as it
 * is: mayCompress, a compressible type and a negotiated coding. The body of a 204 or 304 is empty
 * (under the threshold). The plugin compresses a body over SYNC_COMPRESSION_BYTES (or of unknown
 * length) as a stream (createEncoder), and passes through one that starts like gzip/zlib data
 * (looksCompressed) under the negotiated Content-Encoding — which the fast path does not copy.
 */
export function answerCoding(answer: CompressionCase & { contentType: string | undefined }): ContentCoding | undefined {
  if (!mayCompress(answer) || !isCompressibleType(answer.contentType)) return undefined;
  return negotiateCoding(headerValue(answer.requestHeaders['accept-encoding']));
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The compressed form of a whole body as the plugin's synchronous path makes it, through `memo`
 * (found by `etag` when the answer has one: see CompressionMemo.compress).
 */
export function compressWithMemo(memo: CompressionMemo, body: Buffer, coding: ContentCoding, etag?: string): Buffer {
  return coding === 'br' ? memo.compress(body, 'br', compressBrotli, etag) : memo.compress(body, 'gzip', compressGzip, etag);
}

const compressBrotli = (source: Buffer): Buffer => brotliCompressSync(source, BROTLI_OPTIONS);
const compressGzip = (source: Buffer): Buffer => gzipSync(source, GZIP_OPTIONS);

/**
 * A streaming encoder for `coding` with the plugin's settings (zlib in Node's thread pool, off the
 * event loop): what the fast path compresses answers over SYNC_COMPRESSION_BYTES or of unknown
 * length with, as the plugin streams them.
 */
export function createEncoder(coding: ContentCoding): Transform {
  return coding === 'br' ? createBrotliCompress(BROTLI_OPTIONS) : createGzip(GZIP_OPTIONS);
}

/**
 * Whole answers up to this size are compressed in one synchronous call (and remembered by the
 * CompressionMemo); larger ones stream through the plugin's zlib pipeline, in a fresh compression
 * context per answer. The plugin's own default on 2 cores is 8 KiB, which streamed every product
 * list page (the first page of the demo catalogue with its facets is about 67 KiB); 128 KiB keeps
 * those on the one-call path (a miss costs about 1 ms of brotli at quality 4 for a list page, a hit
 * a fingerprint and a comparison).
 */
export const SYNC_COMPRESSION_BYTES = 128 * 1024;

/** Bytes of each end of a body that its memo key is computed from (see CompressionMemo). */
const FINGERPRINT_BYTES = 4096;

export interface CompressionMemoOptions {
  /** Source and compressed bytes kept, in all (default 16 MiB). */
  maxBytes?: number;
  /** How long a compressed form is kept after it was made (default 10 s). */
  ttlMs?: number;
}

/** A digest of both ends of `body` (all of it when short). */
function fingerprint(body: Buffer): string {
  if (body.length <= 2 * FINGERPRINT_BYTES) return hash('sha256', body, 'base64');
  return hash('sha256', Buffer.concat([body.subarray(0, FINGERPRINT_BYTES), body.subarray(body.length - FINGERPRINT_BYTES)]), 'base64');
}

/**
 * The compressed forms of recently compressed bodies, by coding and content: a body sent again
 * byte for byte — a list or product page the API answers from its cache, to every signed-in
 * shopper the web tier's micro-cache does not serve — is compressed once per coding and not once
 * per request. A form is reused only for a body equal to the one it was made from: the key finds
 * the candidate, a byte comparison of the whole body confirms it (skipped when it is the very
 * buffer the form was made from, as a body the RevalidationStore keeps is), so every client gets
 * exactly the bytes a fresh compression would have made of its own answer; two bodies that share a
 * key take turns in it. The key is the coding, the length and either the answer's ETag, when the
 * caller has one (the fast path), or a SHA-256 of the body's first and last 4 KiB (hashing a whole
 * 67 KiB list cost about as much as 10 % of compressing it; the fingerprint of a 17 kB list was
 * about 1 % of the web tier's CPU per compressed request). Bounded by bytes and by age.
 */
export class CompressionMemo {
  private readonly entries: LRUCache<string, { source: Buffer; encoded: Buffer }>;
  hits = 0;
  misses = 0;

  constructor(options: CompressionMemoOptions = {}) {
    this.entries = new LRUCache({
      maxSize: options.maxBytes ?? 16 * 1024 * 1024,
      sizeCalculation: (entry) => entry.source.length + entry.encoded.length,
      ttl: options.ttlMs ?? 10_000,
      ttlAutopurge: false,
    });
  }

  /**
   * The compressed form of `body` in `coding`: remembered, or made by `compressBody` and
   * remembered. With `etag` (the answer's validator, weak or strong) the form is looked up by it
   * instead of by a fingerprint of the body; the byte comparison stays, so a tag does not have to
   * mean byte-equal for the answer to be right.
   */
  compress(body: Buffer, coding: string, compressBody: (body: Buffer) => Buffer, etag?: string): Buffer {
    const key = etag === undefined ? `${coding}:${body.length}:${fingerprint(body)}` : `${coding}:${body.length}:etag:${etag}`;
    const known = this.entries.get(key);
    if (known && (known.source === body || known.source.equals(body))) {
      this.hits += 1;
      return known.encoded;
    }
    this.misses += 1;
    const encoded = compressBody(body);
    // a copy when the body is a view of a larger buffer, which the memo must not pin
    const source = body.byteLength === body.buffer.byteLength ? body : Buffer.from(body);
    this.entries.set(key, { source, encoded });
    return encoded;
  }
}

/** Registers compression for every route registered after it (it hooks routes as they are added). */
export async function registerCompression(app: FastifyInstance, options: { memo?: CompressionMemo } = {}): Promise<void> {
  const memo = options.memo ?? new CompressionMemo();
  await app.register(compress, {
    global: true,
    // the plugin's synchronous path calls these with its own options; the streamed path and
    // decompression use node's zlib as before
    zlib: {
      brotliCompressSync: (body: Buffer, brotliOptions: BrotliOptions) => memo.compress(body, 'br', (source) => brotliCompressSync(source, brotliOptions)),
      gzipSync: (body: Buffer, zlibOptions: ZlibOptions) => memo.compress(body, 'gzip', (source) => gzipSync(source, zlibOptions)),
    },
    syncThreshold: SYNC_COMPRESSION_BYTES,
    // answers only: a request body goes to the API as it came. Decompressing it here (the plugin's
    // default) handed the API plain bytes under the client's `content-encoding` and `content-length`,
    // and the replica call failed (502) for any compressed upload
    globalDecompression: false,
    encodings: CODINGS,
    customTypes: isCompressibleType,
    threshold: COMPRESSION_THRESHOLD_BYTES,
    brotliOptions: BROTLI_OPTIONS,
    zlibOptions: GZIP_OPTIONS,
  });
}
