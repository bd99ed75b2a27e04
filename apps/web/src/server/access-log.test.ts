/**
 * The web tier's access log against a real HTTP collector on loopback: batches the API could not
 * take (429, 503, unreachable) are sent again, in order, none twice; a batch the API refused
 * outright is not.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import Fastify, { type FastifyInstance } from 'fastify';

import { createLogger } from '@threadline/config';

import { registerWebAccessLog } from './access-log.js';

interface Collector {
  server: Server;
  url: string;
  /** Ids of the events in the batches answered 202, in the order they arrived. */
  accepted: string[];
  /** Their times, in the same order. */
  times: number[];
  posts: number;
}

/** A stand-in for the API's /collect that answers each POST with the next status of `statuses` (then 202). */
async function startCollector(statuses: number[]): Promise<Collector> {
  const collector: Collector = { server: createServer(), url: '', accepted: [], times: [], posts: 0 };
  collector.server.on('request', (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = statuses[collector.posts] ?? 202;
      collector.posts += 1;
      if (status === 202) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { events: Array<{ id: string; ts: number }> };
        collector.accepted.push(...body.events.map((event) => event.id));
        collector.times.push(...body.events.map((event) => event.ts));
      }
      response.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '1' } : {}) });
      response.end(status === 202 ? '{"accepted":1}' : '{"error":{"code":"X","message":"x"}}');
    });
  });
  await new Promise<void>((resolve) => collector.server.listen(0, '127.0.0.1', resolve));
  collector.url = `http://127.0.0.1:${(collector.server.address() as AddressInfo).port}`;
  return collector;
}

async function webTier(apiUrl: () => string): Promise<FastifyInstance> {
  const app = Fastify();
  registerWebAccessLog(app, { apiUrl, logger: createLogger({ name: 'access-log-test', level: 'silent' }) });
  app.get('/products/:id', async () => 'page');
  await app.ready();
  return app;
}

/** Requests `pages` product pages, one after the other. */
async function browse(app: FastifyInstance, pages: number): Promise<void> {
  for (let i = 0; i < pages; i += 1) assert.equal((await app.inject({ url: `/products/${i}` })).statusCode, 200);
}

const servers: Server[] = [];
after(() => servers.forEach((server) => server.close()));

describe('web access log', () => {
  it('sends a batch the API could not take again, in order, once: nothing is lost to a 429 or a 503', async () => {
    const collector = await startCollector([429, 503, 429]);
    servers.push(collector.server);
    const app = await webTier(() => collector.url);
    await browse(app, 1_300);
    // the refused batches wait for the next second's flush
    for (let tries = 0; collector.posts < 4 && tries < 40; tries += 1) await sleep(250);
    await app.close();
    assert.equal(collector.accepted.length, 1_300, `every request logged once (posts ${collector.posts})`);
    assert.equal(new Set(collector.accepted).size, 1_300, 'no event twice');
    assert.ok(collector.posts >= 6, `1,300 events in batches of 500 after three refusals: ${collector.posts} posts`);
    // a refused batch goes back in front of what came meanwhile
    assert.ok(collector.times.every((time, index) => index === 0 || time >= (collector.times[index - 1] ?? 0)), 'sent in the order of the requests');
  });

  it('keeps the events while the API cannot be reached and sends them once it is back', async () => {
    let apiUrl = 'http://127.0.0.1:9';
    const app = await webTier(() => apiUrl);
    await browse(app, 700);
    // the first batch (500 events) fails to connect and waits; the timer's next flush fails too
    await sleep(1_300);
    const collector = await startCollector([]);
    servers.push(collector.server);
    apiUrl = collector.url;
    await app.close();
    assert.equal(collector.accepted.length, 700);
    assert.equal(new Set(collector.accepted).size, 700);
  });

  it('does not send again a batch the API refused outright (it would be refused again)', async () => {
    const collector = await startCollector([400]);
    servers.push(collector.server);
    const app = await webTier(() => collector.url);
    await browse(app, 500);
    for (let tries = 0; collector.posts < 1 && tries < 40; tries += 1) await sleep(50);
    await browse(app, 10);
    await app.close();
    assert.equal(collector.accepted.length, 10, 'the refused 500 are not sent again; the next 10 are');
    assert.equal(collector.posts, 2);
  });
});
