import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import Fastify from 'fastify';

import { COMPRESSION_THRESHOLD_BYTES, mayCompress, registerCompression, type CompressionCase } from './compression.js';

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
