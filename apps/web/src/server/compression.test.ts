import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';

import Fastify, { type FastifyInstance } from 'fastify';

import { createLogger } from '@threadline/config';

import { COMPRESSION_THRESHOLD_BYTES, CompressionMemo, mayCompress, registerCompression, SYNC_COMPRESSION_BYTES, type CompressionCase } from './compression.js';
import { registerForwarding } from './upstream/forward.js';
import { UpstreamPool } from './upstream/upstream-pool.js';

/** What the API replica saw of the last forwarded request. */
interface Seen {
  encoding: string | undefined;
  length: string | undefined;
  body: Buffer;
}

describe('compression at the web tier, in front of forwarding', () => {
  let replica: http.Server;
  let upstream: UpstreamPool;
  let web: FastifyInstance;
  let seen: Seen | undefined;
  const answer = JSON.stringify({ items: Array.from({ length: 200 }, (_, index) => ({ id: index, name: `Linen shirt ${index}` })) });

  before(async () => {
    replica = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.url !== '/readyz') seen = { encoding: request.headers['content-encoding'], length: request.headers['content-length'], body: Buffer.concat(chunks) };
        response.writeHead(200, { 'content-type': 'application/json' }).end(answer);
      });
    });
    await new Promise<void>((resolve) => replica.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(replica.address() as AddressInfo).port}`; // listening on TCP: an AddressInfo
    upstream = new UpstreamPool({ urls: [url], logger: createLogger({ name: 'test', level: 'silent' }) });
    await upstream.start();
    web = Fastify();
    await registerCompression(web);
    await registerForwarding(web, { upstream, prefixes: ['/api'], extraHeaders: () => ({}) });
  });
  after(async () => {
    await web.close();
    await upstream.close();
    replica.closeAllConnections();
    await new Promise((resolve) => replica.close(resolve));
  });

  it('forwards a compressed request body as it came, with its own encoding and length', async () => {
    const body = zlib.gzipSync(JSON.stringify({ events: Array.from({ length: 50 }, () => ({ type: 'page_view', path: '/products/1' })) }));
    const response = await web.inject({ method: 'POST', url: '/api/upload', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: body });
    assert.equal(response.statusCode, 200, response.body);
    assert.ok(seen);
    assert.equal(seen.encoding, 'gzip');
    assert.equal(seen.length, String(body.length));
    assert.deepEqual(seen.body, body, 'the replica got the bytes the client sent');
  });

  it('compresses a forwarded answer for a client that accepts it', async () => {
    const response = await web.inject({ method: 'GET', url: '/api/products', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(response.rawPayload).toString('utf8'), answer);
  });
});

interface Case {
  name: string;
  requestHeaders: Record<string, string>;
  statusCode: number;
  answerHeaders: Record<string, string>;
  bodyBytes: number;
}

const big = COMPRESSION_THRESHOLD_BYTES * 4;
const json = { 'content-type': 'application/json; charset=utf-8' };
const CASES: Case[] = [
  { name: 'no Accept-Encoding', requestHeaders: {}, statusCode: 200, answerHeaders: json, bodyBytes: big },
  { name: 'X-No-Compression', requestHeaders: { 'accept-encoding': 'gzip, br', 'x-no-compression': '1' }, statusCode: 200, answerHeaders: json, bodyBytes: big },
  { name: 'under the threshold', requestHeaders: { 'accept-encoding': 'gzip, br' }, statusCode: 200, answerHeaders: json, bodyBytes: COMPRESSION_THRESHOLD_BYTES - 1 },
  { name: 'already encoded', requestHeaders: { 'accept-encoding': 'gzip, br' }, statusCode: 200, answerHeaders: { ...json, 'content-encoding': 'br' }, bodyBytes: big },
  { name: 'partial content', requestHeaders: { 'accept-encoding': 'gzip, br' }, statusCode: 206, answerHeaders: { ...json, 'content-range': `bytes 0-${big - 1}/${big * 2}` }, bodyBytes: big },
  { name: 'a JSON list a browser asks for', requestHeaders: { 'accept-encoding': 'gzip, deflate, br' }, statusCode: 200, answerHeaders: json, bodyBytes: big },
  { name: 'Content-Encoding: identity', requestHeaders: { 'accept-encoding': 'gzip' }, statusCode: 200, answerHeaders: { ...json, 'content-encoding': 'identity' }, bodyBytes: big },
  { name: 'any coding (*)', requestHeaders: { 'accept-encoding': '*' }, statusCode: 200, answerHeaders: json, bodyBytes: big },
];

describe('mayCompress', () => {
  it('is false only where the compression plugin leaves the answer as it is', async () => {
    const app = Fastify();
    await registerCompression(app);
    app.get('/answer/:index', async (request, reply) => {
      const { index } = request.params as { index: string }; // the route pattern defines this parameter
      const item = CASES[Number(index)];
      if (!item) return reply.status(404).send();
      return reply.status(item.statusCode).headers(item.answerHeaders).send(Buffer.from('{"v":"'.padEnd(item.bodyBytes - 2, 'x') + '"}'));
    });
    try {
      for (const [index, item] of CASES.entries()) {
        const answer = await app.inject({ method: 'GET', url: `/answer/${index}`, headers: item.requestHeaders });
        const body = answer.rawPayload;
        const isChanged = answer.headers['content-encoding'] !== item.answerHeaders['content-encoding'] || body.length !== item.bodyBytes;
        const verdict = mayCompress({ requestHeaders: item.requestHeaders, statusCode: item.statusCode, answerHeaders: item.answerHeaders, bodyBytes: item.bodyBytes });
        if (!verdict) assert.equal(isChanged, false, `${item.name}: said to be left alone, but the plugin changed it`);
        else assert.equal(isChanged, true, `${item.name}: the plugin compresses it`);
      }
    } finally {
      await app.close();
    }
  });

  it('treats any Content-Encoding but identity as already encoded, as the plugin does', () => {
    const base: CompressionCase = { requestHeaders: { 'accept-encoding': 'gzip' }, statusCode: 200, answerHeaders: {}, bodyBytes: big };
    assert.equal(mayCompress(base), true);
    assert.equal(mayCompress({ ...base, answerHeaders: { 'content-encoding': 'gzip' } }), false);
    assert.equal(mayCompress({ ...base, answerHeaders: { 'content-encoding': ['gzip', 'br'] } }), false);
    assert.equal(mayCompress({ ...base, answerHeaders: { 'content-encoding': '' } }), true);
    assert.equal(mayCompress({ ...base, answerHeaders: { 'content-encoding': 'identity' } }), true);
  });
});

describe('CompressionMemo', () => {
  const body = Buffer.from(JSON.stringify({ items: Array.from({ length: 300 }, (_, id) => ({ id, name: `Linen shirt ${id}` })) }));

  it('compresses a body once per coding and gives the same bytes for an equal body', () => {
    const memo = new CompressionMemo();
    let calls = 0;
    const brotli = (source: Buffer): Buffer => {
      calls += 1;
      return zlib.brotliCompressSync(source);
    };
    const first = memo.compress(body, 'br', brotli);
    const second = memo.compress(Buffer.from(body), 'br', brotli);
    assert.equal(calls, 1);
    assert.deepEqual(second, first);
    assert.equal(zlib.brotliDecompressSync(second).toString('utf8'), body.toString('utf8'));
    // another coding, or another body, is compressed anew
    memo.compress(body, 'gzip', (source) => zlib.gzipSync(source));
    const other = Buffer.from(body.toString('utf8').replace('Linen shirt 7', 'Linen shirt X'));
    assert.equal(zlib.brotliDecompressSync(memo.compress(other, 'br', brotli)).toString('utf8'), other.toString('utf8'));
    assert.equal(calls, 2);
    assert.deepEqual({ hits: memo.hits, misses: memo.misses }, { hits: 1, misses: 3 });
  });

  it('never gives a body the form of another that shares its length and both ends', () => {
    const memo = new CompressionMemo();
    const ends = 'x'.repeat(5000);
    const first = Buffer.from(`${ends}{"price":1999}${ends}`);
    const second = Buffer.from(`${ends}{"price":2999}${ends}`);
    assert.equal(first.length, second.length);
    const gzip = (source: Buffer): Buffer => zlib.gzipSync(source);
    for (const body of [first, second, first, second]) assert.equal(zlib.gunzipSync(memo.compress(body, 'gzip', gzip)).toString('utf8'), body.toString('utf8'));
    assert.equal(memo.hits, 0, 'each took its turn in the shared key');
  });

  it('finds a form by the answer’s ETag, and still never gives it to another body under the same tag', () => {
    const memo = new CompressionMemo();
    let calls = 0;
    const gzip = (source: Buffer): Buffer => {
      calls += 1;
      return zlib.gzipSync(source);
    };
    const tag = 'W/"list-1"';
    const first = memo.compress(body, 'gzip', gzip, tag);
    // the very buffer again (as a kept body is), and a byte-equal copy: the form made once
    assert.equal(memo.compress(body, 'gzip', gzip, tag), first);
    assert.equal(memo.compress(Buffer.from(body), 'gzip', gzip, tag), first);
    assert.equal(calls, 1);
    // a weak tag may stand for other bytes of the same length: compressed anew, its own bytes
    const other = Buffer.from(body.toString('utf8').replace('Linen shirt 7', 'Linen shirt X'));
    assert.equal(other.length, body.length);
    assert.equal(zlib.gunzipSync(memo.compress(other, 'gzip', gzip, tag)).toString('utf8'), other.toString('utf8'));
    // under another coding the tag finds nothing
    assert.equal(zlib.brotliDecompressSync(memo.compress(body, 'br', (source) => zlib.brotliCompressSync(source), tag)).toString('utf8'), body.toString('utf8'));
    assert.deepEqual({ hits: memo.hits, misses: memo.misses, calls }, { hits: 2, misses: 3, calls: 2 });
  });

  it('forgets forms past their age and past its byte bound', async () => {
    const aging = new CompressionMemo({ ttlMs: 30 });
    let calls = 0;
    const gzip = (source: Buffer): Buffer => {
      calls += 1;
      return zlib.gzipSync(source);
    };
    aging.compress(body, 'gzip', gzip);
    await new Promise((resolve) => setTimeout(resolve, 60));
    aging.compress(body, 'gzip', gzip);
    assert.equal(calls, 2, 'made again after its age');
    const small = new CompressionMemo({ maxBytes: body.length * 2 });
    const bodies = [0, 1, 2].map((n) => Buffer.from(body.toString('utf8') + ' '.repeat(n)));
    for (const item of bodies) small.compress(item, 'gzip', gzip);
    const before = calls;
    small.compress(bodies[0] ?? body, 'gzip', gzip);
    assert.equal(calls, before + 1, 'the oldest form was dropped to stay within the bound');
  });

  it('serves a repeated whole answer from the memo through the plugin, with its length', async () => {
    const memo = new CompressionMemo();
    const app = Fastify();
    await registerCompression(app, { memo });
    // bigger than the plugin's default synchronous bound on 2 cores (8 KiB), smaller than ours
    const page = Buffer.from(JSON.stringify({ items: Array.from({ length: 600 }, (_, id) => ({ id, name: `Linen shirt ${id}` })) }));
    assert.ok(page.length > 8 * 1024 && page.length < SYNC_COMPRESSION_BYTES);
    app.get('/page', async (_request, reply) => reply.header('content-type', 'application/json').send(page));
    try {
      const answers = [];
      for (let i = 0; i < 3; i += 1) answers.push(await app.inject({ method: 'GET', url: '/page', headers: { 'accept-encoding': 'gzip, deflate, br' } }));
      for (const answer of answers) {
        assert.equal(answer.headers['content-encoding'], 'br');
        assert.equal(answer.headers['content-length'], String(answer.rawPayload.length), 'compressed in one go: its length is known');
        assert.equal(answer.headers.vary, 'accept-encoding');
        assert.equal(zlib.brotliDecompressSync(answer.rawPayload).toString('utf8'), page.toString('utf8'));
      }
      assert.deepEqual({ hits: memo.hits, misses: memo.misses }, { hits: 2, misses: 1 });
      const gzipped = await app.inject({ method: 'GET', url: '/page', headers: { 'accept-encoding': 'gzip' } });
      assert.equal(zlib.gunzipSync(gzipped.rawPayload).toString('utf8'), page.toString('utf8'));
      assert.equal(memo.misses, 2);
    } finally {
      await app.close();
    }
  });
});
