/**
 * The fast path's compressed answers against the full path's: the whole web tier built twice, with
 * the fast path on and off, in front of one stand-in API replica (a real HTTP server answering
 * If-None-Match as the API's list route does). For every request below both must give the same
 * status, the same headers (coding, Vary, ETag, lengths, types, security headers…) and the same
 * body once decoded — the fast path compressing through the same rules and CompressionMemo as the
 * full path's plugin, or handing an answer back to it.
 */
import assert from 'node:assert/strict';
import { hash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';

import type { FastifyInstance } from 'fastify';

import { createLogger, loadConfig, loadEdgeConfig } from '@threadline/config';

import { buildWebApp } from '../app.js';
import { SYNC_COMPRESSION_BYTES } from '../compression.js';

/** What the stand-in replica answers for one path. */
interface Page {
  body: Buffer;
  headers: Record<string, string | string[]>;
  /** Answers with a tag, and 304 to a matching If-None-Match. */
  isTagged?: boolean;
  /** No Content-Length: streamed (chunked). */
  isChunked?: boolean;
}

const json = (size: number, seed: string): Buffer => {
  const items: { id: number; name: string }[] = [];
  let text = '';
  for (let id = 0; text.length < size; id += 1) {
    items.push({ id, name: `${seed} product ${id} in organic cotton` });
    text = JSON.stringify({ items });
  }
  return Buffer.from(text);
};

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

const PAGES: Record<string, Page> = {
  // a product list page: shareable for 2 s, tagged (kept and revalidated by the web tier)
  '/api/list': { body: json(60_000, 'list'), headers: { ...JSON_TYPE, 'cache-control': 'public, max-age=0, s-maxage=2' }, isTagged: true },
  '/api/private': { body: json(8_000, 'private'), headers: { ...JSON_TYPE, 'cache-control': 'private, max-age=0' }, isTagged: true },
  '/api/small': { body: json(600, 'small'), headers: JSON_TYPE },
  '/api/threshold': { body: Buffer.alloc(1024, 'a'), headers: { 'content-type': 'text/plain' } },
  '/api/image': { body: Buffer.alloc(6_000, 7), headers: { 'content-type': 'image/png' } },
  '/api/svg': { body: Buffer.from(`<svg>${'<g/>'.repeat(1_000)}</svg>`), headers: { 'content-type': 'image/svg+xml' } },
  // compressible by mime-db, not by the plugin's pattern
  '/api/script': { body: Buffer.from(`var a = 1;\n`.repeat(400)), headers: { 'content-type': 'application/javascript; charset=utf-8' } },
  '/api/untyped': { body: Buffer.alloc(4_000, 'u'), headers: {} },
  '/api/vary': { body: json(5_000, 'vary'), headers: { ...JSON_TYPE, vary: 'Origin' } },
  '/api/vary-both': { body: json(5_000, 'vary-both'), headers: { ...JSON_TYPE, vary: 'accept-encoding, Origin' } },
  '/api/no-transform': { body: json(5_000, 'no-transform'), headers: { ...JSON_TYPE, 'cache-control': 'no-transform' } },
  '/api/encoded': { body: gzipSync(json(5_000, 'encoded')), headers: { ...JSON_TYPE, 'content-encoding': 'gzip' } },
  '/api/identity': { body: json(5_000, 'identity'), headers: { ...JSON_TYPE, 'content-encoding': 'identity' } },
  '/api/range': { body: json(5_000, 'range'), headers: { ...JSON_TYPE, 'content-range': 'bytes 0-4999/9000' } },
  '/api/missing': { body: json(3_000, 'missing'), headers: JSON_TYPE },
  '/api/looks-gzip': { body: Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08]), Buffer.alloc(3_000, 'g')]), headers: { 'content-type': 'application/octet-stream' } },
  // over the plugin's one-call size: it streams these through zlib (the fast path hands them back)
  '/api/large': { body: json(SYNC_COMPRESSION_BYTES + 20_000, 'large'), headers: JSON_TYPE },
  '/api/chunked': { body: json(20_000, 'chunked'), headers: JSON_TYPE, isChunked: true },
};

const tagOf = (body: Buffer): string => `W/"${hash('sha256', body, 'base64url')}"`;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(port: number, url: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: url, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
  });
}

/** The body as the client reads it (undefined when its coding does not decode it). */
function decoded(answer: Answer): Buffer | undefined {
  try {
    switch (answer.headers['content-encoding']) {
      case 'br':
        return brotliDecompressSync(answer.body);
      case 'gzip':
        return gunzipSync(answer.body);
      default:
        return answer.body;
    }
  } catch {
    return undefined;
  }
}

/** Headers that differ per answer whatever the path (the clock, the connection). */
const PER_ANSWER = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

function comparable(answer: Answer): Record<string, string | string[] | undefined> {
  const headers: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(answer.headers)) if (!PER_ANSWER.has(name)) headers[name] = value;
  return headers;
}

/** The fast path's count of answered requests and of those handed back, from /metrics. */
async function fastCount(port: number): Promise<number> {
  const text = (await get(port, '/metrics', {})).body.toString('utf8');
  const line = text.split('\n').find((row) => row.startsWith('threadline_web_fast_forward_total'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

const CODINGS = ['gzip', 'br', 'zstd', 'deflate', 'identity', '*', 'x-gzip', 'GZIP', 'gzip;q=1, br;q=0.5', 'br;q=0.9, gzip;q=0.9', 'br;q=0, gzip', 'br;q=0', 'br;q=0, gzip;q=0', 'gzip, deflate, br, zstd', ''];

describe('the fast path compresses as the full path does', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-fast-compression-'));
  let replica: http.Server;
  /** Requests the replica got, by URL. */
  const asked = new Map<string, number>();
  /** Requests the replica got with an If-None-Match it answered 304. */
  let notModified = 0;
  let fast: FastifyInstance;
  let full: FastifyInstance;
  let fastPort: number;
  let fullPort: number;

  before(async () => {
    replica = http.createServer((request, response) => {
      if (request.url === '/readyz') {
        response.writeHead(200).end();
        return;
      }
      asked.set(request.url ?? '', (asked.get(request.url ?? '') ?? 0) + 1);
      const page = PAGES[request.url ?? ''];
      if (!page) {
        response.writeHead(404, JSON_TYPE).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'x'.repeat(2_000) } }));
        return;
      }
      const headers: Record<string, string | string[]> = { ...page.headers };
      if (page.isTagged) {
        const etag = tagOf(page.body);
        headers.etag = etag;
        if (request.headers['if-none-match'] === etag) {
          notModified += 1;
          response.writeHead(304, headers).end();
          return;
        }
      }
      if (page.isChunked) {
        response.writeHead(200, headers);
        response.write(page.body.subarray(0, 1_000));
        setTimeout(() => response.end(page.body.subarray(1_000)), 5);
        return;
      }
      response.writeHead(200, { ...headers, 'content-length': String(page.body.length) }).end(page.body);
    });
    await new Promise<void>((resolve) => replica.listen(0, '127.0.0.1', resolve));
    const apiUrl = `http://127.0.0.1:${(replica.address() as AddressInfo).port}`; // listening on TCP: an AddressInfo
    const logger = createLogger({ name: 'fast-compression-test', level: 'silent' });
    const config = { ...loadConfig({ THREADLINE_DATA_DIR: path.join(dir, 'data'), NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0' }), apiUrl };
    const edge = loadEdgeConfig({});
    fast = await buildWebApp({ config, logger, distDir: path.join(dir, 'dist'), edge });
    full = await buildWebApp({ config, logger, distDir: path.join(dir, 'dist'), edge, fastPath: false });
    await fast.listen({ port: 0, host: '127.0.0.1' });
    await full.listen({ port: 0, host: '127.0.0.1' });
    fastPort = (fast.server.address() as AddressInfo).port; // TCP listener: always AddressInfo
    fullPort = (full.server.address() as AddressInfo).port;
  });

  after(async () => {
    await fast.close();
    await full.close();
    await new Promise<void>((resolve) => replica.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** The same request to both tiers: the same answer, header for header and (decoded) byte for byte. */
  async function same(url: string, headers: Record<string, string>): Promise<Answer> {
    const fullAnswer = await get(fullPort, url, headers);
    const fastAnswer = await get(fastPort, url, headers);
    const what = `${url} ${JSON.stringify(headers)}`;
    assert.equal(fastAnswer.status, fullAnswer.status, what);
    assert.deepEqual(comparable(fastAnswer), comparable(fullAnswer), what);
    const fastBody = decoded(fastAnswer);
    const fullBody = decoded(fullAnswer);
    if (fullBody === undefined) {
      // a coding that does not decode it (the plugin's pass-through of gzip-looking bytes): the same bytes
      assert.equal(fastBody, undefined, what);
      assert.ok(fastAnswer.body.equals(fullAnswer.body), what);
    } else {
      assert.ok(fastBody?.equals(fullBody), `${what}: decoded bodies differ`);
    }
    if (fastAnswer.headers['content-length'] !== undefined) assert.equal(fastAnswer.headers['content-length'], String(fastAnswer.body.length), what);
    return fastAnswer;
  }

  it('gives every Accept-Encoding the full path’s coding, headers and body', async () => {
    const takenBefore = await fastCount(fastPort);
    for (const coding of CODINGS) {
      for (const url of ['/api/private', '/api/small', '/api/threshold', '/api/image', '/api/svg', '/api/script', '/api/untyped', '/api/vary', '/api/vary-both', '/api/no-transform', '/api/missing']) {
        await same(url, { 'accept-encoding': coding, cookie: 'tl_pref=dark' });
      }
    }
    await same('/api/private', { cookie: 'tl_pref=dark' });
    await same('/api/private', { 'accept-encoding': 'br', 'x-no-compression': '1', cookie: 'tl_pref=dark' });
    const answer = await same('/api/private', { 'accept-encoding': 'gzip, deflate, br', cookie: 'tl_pref=dark' });
    assert.equal(answer.headers['content-encoding'], 'br');
    assert.equal(answer.headers.vary, 'accept-encoding');
    assert.equal(answer.headers.etag, tagOf(PAGES['/api/private']?.body ?? Buffer.alloc(0)));
    assert.equal((await same('/api/vary', { 'accept-encoding': 'gzip', cookie: 'tl_pref=dark' })).headers.vary, 'Origin, accept-encoding');
    assert.equal((await same('/api/small', { 'accept-encoding': 'br', cookie: 'tl_pref=dark' })).headers['content-encoding'], undefined);
    assert.equal((await same('/api/image', { 'accept-encoding': 'br', cookie: 'tl_pref=dark' })).headers['content-encoding'], undefined);
    assert.equal((await same('/api/script', { 'accept-encoding': 'br', cookie: 'tl_pref=dark' })).headers['content-encoding'], 'br');
    assert.equal((await same('/api/untyped', { 'accept-encoding': 'gzip', cookie: 'tl_pref=dark' })).headers['content-encoding'], 'gzip');
    assert.equal((await same('/api/private', { 'accept-encoding': '*', cookie: 'tl_pref=dark' })).headers['content-encoding'], 'gzip');
    assert.equal((await same('/api/private', { 'accept-encoding': 'gzip;q=1, br;q=0.5', cookie: 'tl_pref=dark' })).headers['content-encoding'], 'gzip');
    // the fast path answered these itself (compressed ones included): they were not all handed back
    assert.ok((await fastCount(fastPort)) - takenBefore >= CODINGS.length * 11, 'the fast path answered the requests');
    assert.equal(await fastCount(fullPort), 0);
  });

  it('leaves encoded, partial and not-found answers as the full path does', async () => {
    for (const coding of ['br', 'gzip', 'identity']) {
      for (const url of ['/api/encoded', '/api/identity', '/api/range', '/api/unknown']) {
        await same(url, { 'accept-encoding': coding, cookie: 'tl_pref=dark' });
      }
    }
    assert.equal((await same('/api/encoded', { 'accept-encoding': 'br', cookie: 'tl_pref=dark' })).headers['content-encoding'], 'gzip');
    assert.equal((await same('/api/unknown', { 'accept-encoding': 'br', cookie: 'tl_pref=dark' })).headers['content-encoding'], 'br');
  });

  it('streams what the plugin streams (large, unknown length) through the same compression, asking the replica once', async () => {
    for (const coding of ['br', 'gzip']) {
      for (const url of ['/api/large', '/api/chunked']) {
        const before = asked.get(url) ?? 0;
        const answer = await same(url, { 'accept-encoding': coding, cookie: 'tl_pref=dark' });
        assert.equal(answer.headers['content-encoding'], coding, url);
        assert.equal(answer.headers['content-length'], undefined, `${url}: streamed, as the plugin streams it`);
        // one request through each tier: the fast path did not hand it back to be asked again
        assert.equal((asked.get(url) ?? 0) - before, 2, `${url}: the replica was asked once per tier`);
      }
    }
    // without a coding the fast path streams them as they are, as before
    await same('/api/chunked', { cookie: 'tl_pref=dark' });
    await same('/api/large', { 'accept-encoding': 'identity', cookie: 'tl_pref=dark' });
  });

  it('compresses a body that starts like gzip data like every other body (the plugin passes it through under a coding it does not have)', async () => {
    const original = PAGES['/api/looks-gzip']?.body ?? Buffer.alloc(0);
    for (const coding of ['br', 'gzip']) {
      const fastAnswer = await get(fastPort, '/api/looks-gzip', { 'accept-encoding': coding, cookie: 'tl_pref=dark' });
      assert.equal(fastAnswer.headers['content-encoding'], coding);
      assert.ok(decoded(fastAnswer)?.equals(original), `${coding}: the client decodes the replica's bytes`);
    }
  });

  it('answers the client’s own If-None-Match with the same 304, and a revalidated kept list body as the full path does', async () => {
    const etag = tagOf(PAGES['/api/list']?.body ?? Buffer.alloc(0));
    for (const coding of ['br', 'gzip', 'identity']) {
      const conditional = await same('/api/list', { 'accept-encoding': coding, 'if-none-match': etag, cookie: 'tl_pref=dark' });
      assert.equal(conditional.status, 304);
      // the full path's plugin marks a 304 of unknown length as the 200 to the same request would be
      assert.equal(conditional.headers['content-encoding'], coding === 'identity' ? undefined : coding);
    }
    // the first asks plainly and keeps the body; the next ones are revalidated (the replica answers 304 to the web tier)
    await same('/api/list', { 'accept-encoding': 'br', cookie: 'tl_pref=dark' });
    const before304 = notModified;
    for (const coding of ['br', 'gzip', 'gzip, deflate, br', 'identity']) {
      const answer = await same('/api/list', { 'accept-encoding': coding, cookie: 'tl_pref=dark' });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.etag, etag);
    }
    // both tiers revalidated each of those four (two 304s a request pair)
    assert.equal(notModified - before304, 8);
  });
});
