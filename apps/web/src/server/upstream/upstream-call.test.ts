import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';

import { Pool } from 'undici';

import { callUpstream, type UpstreamCall } from './upstream-call.js';

const BIG = Buffer.alloc(3 * 1024 * 1024, 'x');

describe('callUpstream', () => {
  let server: http.Server;
  let pool: Pool;
  let abandoned: Promise<void>;
  let markAbandoned: () => void = () => undefined;

  before(async () => {
    server = http.createServer((request, response) => {
      request.resume();
      if (request.url === '/small') {
        // raw header list: repeated Set-Cookie, a hop-by-hop header, mixed-case names
        response.writeHead(201, ['Content-Type', 'application/json', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Keep-Alive', 'timeout=5', 'X-Replica', 'one', 'Content-Length', '11']);
        response.end('{"ok":true}');
      } else if (request.url === '/big') {
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        response.end(BIG);
      } else if (request.url === '/cut') {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        response.write('{"partial":');
        setTimeout(() => request.socket.destroy(), 20);
      } else if (request.url === '/endless') {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.on('close', () => markAbandoned());
        const tick = setInterval(() => response.write('tick\n'), 5);
        response.on('close', () => clearInterval(tick));
      } else {
        response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' });
        response.end(request.method === 'HEAD' ? undefined : 'hello');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`); // listening on TCP: an AddressInfo
    abandoned = new Promise((resolve) => {
      markAbandoned = resolve;
    });
  });
  after(async () => {
    await pool.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const call = (path: string, method: UpstreamCall['method'] = 'GET'): UpstreamCall => ({
    method,
    path,
    headers: { accept: '*/*' },
    body: null,
    headersTimeout: 5_000,
    bodyTimeout: 5_000,
    bufferLimit: 512 * 1024,
    isDropped: (name) => name === 'keep-alive' || name === 'connection',
  });

  it('reads a modest answer of known length whole, keeping repeated headers and dropping hop-by-hop ones', async () => {
    const answer = await callUpstream(pool, call('/small'));
    assert.equal(answer.statusCode, 201);
    assert.ok(Buffer.isBuffer(answer.body));
    assert.equal(answer.body.toString('utf8'), '{"ok":true}');
    assert.deepEqual(answer.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(answer.headers['x-replica'], 'one');
    assert.equal(answer.headers['content-type'], 'application/json');
    assert.equal(answer.headers['keep-alive'], undefined);
    assert.equal(answer.headers.connection, undefined);
  });

  it('streams an answer of unknown length, intact', async () => {
    const answer = await callUpstream(pool, call('/big'));
    assert.ok(answer.body instanceof Readable, 'no length: streamed');
    const chunks: Buffer[] = [];
    for await (const chunk of answer.body) chunks.push(Buffer.from(chunk as Uint8Array)); // a Readable of Buffers
    assert.ok(Buffer.concat(chunks).equals(BIG));
  });

  it('streams the answer to HEAD with its Content-Length', async () => {
    const answer = await callUpstream(pool, call('/head', 'HEAD'));
    assert.ok(answer.body instanceof Readable);
    assert.equal(answer.headers['content-length'], '5');
    const chunks: unknown[] = [];
    for await (const chunk of answer.body) chunks.push(chunk);
    assert.equal(chunks.length, 0);
  });

  it('fails, instead of answering, when a buffered answer breaks off mid-body (so it can be retried)', async () => {
    await assert.rejects(callUpstream(pool, call('/cut')));
  });

  it('aborts the upstream request when a streamed body is abandoned', async () => {
    const answer = await callUpstream(pool, call('/endless'));
    assert.ok(answer.body instanceof Readable);
    for await (const chunk of answer.body) {
      assert.ok(String(chunk).startsWith('tick'));
      break; // leaving the loop destroys the stream
    }
    await abandoned; // the replica saw its connection close
  });

  it('fails with the connection error when the replica is not there', async () => {
    const nowhere = new Pool('http://127.0.0.1:9');
    try {
      await assert.rejects(callUpstream(nowhere, call('/small')), (error: unknown) => error instanceof Error && 'code' in error && error.code === 'ECONNREFUSED');
    } finally {
      await nowhere.destroy();
    }
  });
});
