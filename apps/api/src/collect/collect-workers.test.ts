import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { DEFAULT_LIMITS, prepareBatch } from '@threadline/clickstream';
import { loadConfig } from '@threadline/config';

import { workOnBatch, type BatchWorkSettings } from './batch-work.js';
import { CollectWorkers } from './collect-workers.js';
import { makeEvent, startCollectApp, type CollectHarness } from './collect.test-helpers.js';

const SETTINGS: BatchWorkSettings = { limits: DEFAULT_LIMITS, pseudonymKey: 'test-key', maxEventsPerBatch: 5, waf: loadConfig({}).edge.waf };
const FACTS = { receivedAt: Date.now(), userAgent: 'Mozilla/5.0 (X11; Linux x86_64)', ip: '198.51.100.7', isFromTier: false };

function bodyOf(value: unknown): Uint8Array {
  return new Uint8Array(Buffer.from(JSON.stringify(value)));
}

describe('collect worker threads', () => {
  const workers = new CollectWorkers({ count: 1, settings: SETTINGS });
  before(async () => workers.whenReady());
  after(async () => workers.close());

  it('prepare a batch in a worker exactly as in the request thread', async () => {
    const repeated = makeEvent();
    const events = [makeEvent(), repeated, makeEvent({ language: 'not a language!' }), { ...repeated }, makeEvent({ path: '/søk/jakke' })];
    const outcome = await workers.run({ body: bodyOf({ events }), contentType: 'application/json', facts: FACTS });
    assert.ok(outcome?.kind === 'prepared', JSON.stringify(outcome));
    assert.equal(outcome.events, 5);
    assert.equal(outcome.batch.spooled, 3);
    assert.equal(outcome.batch.duplicates, 1, 'a repeated id within the batch is stored once');
    assert.deepEqual(outcome.batch.rejected.map((r) => `${r.index}:${r.reason.split(':')[0]}`), ['2:language']);
    const here = prepareBatch(events.map((raw) => ({ entry: { raw }, facts: FACTS })), SETTINGS);
    assert.deepEqual(Buffer.from(outcome.batch.payload), Buffer.from(here.payload), 'the same spool lines, byte for byte (non-ASCII path included)');
    assert.deepEqual([...outcome.batch.idWords], [...here.idWords]);
  });

  it('refuse a broken body whole with the code and field the route answers, and hand back a body a WAF rule matched', async () => {
    const broken = await workers.run({ body: new Uint8Array(Buffer.from('{"events": [')), contentType: 'application/json', facts: FACTS });
    assert.deepEqual(broken, { kind: 'refused', code: 'INVALID_JSON', message: 'request body is not valid JSON' });
    const tooMany = await workers.run({ body: bodyOf({ events: Array.from({ length: 6 }, () => makeEvent()) }), contentType: 'application/json', facts: FACTS });
    assert.ok(tooMany?.kind === 'refused');
    assert.equal(tooMany.code, 'PAYLOAD_TOO_LARGE');
    assert.equal(tooMany.field, 'events');
    const attack = await workers.run({ body: bodyOf({ events: [makeEvent(), makeEvent({ utm: { campaign: "x' UNION SELECT password FROM users --" } })] }), contentType: 'application/json', facts: FACTS });
    assert.deepEqual(attack, { kind: 'suspicious' });
    // the same decisions in the request thread
    assert.equal(workOnBatch({ body: bodyOf({ events: [makeEvent({ props: { query: '<script>alert(1)</script>' } })] }), contentType: 'application/json', facts: FACTS }, SETTINGS).kind, 'suspicious');
  });
});

describe('POST /collect through a worker thread', () => {
  let h: CollectHarness;
  before(async () => {
    h = await startCollectApp({ THREADLINE_COLLECT_RATE: '0', THREADLINE_COLLECT_WORKERS: '1' });
    await h.app.collectWorkers?.whenReady();
  });
  after(async () => h.close());

  it('acknowledges, dedupes against earlier batches, rejects by field and refuses attacks naming no rule', async () => {
    const events = [makeEvent(), makeEvent(), makeEvent({ timeZone: 'Mars/Olympus' })];
    const first = await h.app.inject({ method: 'POST', url: '/collect', payload: { events } });
    assert.equal(first.statusCode, 202, first.body);
    assert.deepEqual(first.json(), { accepted: 2, duplicates: 0, rejected: [{ index: 2, id: String(events[2]?.id), reason: 'timeZone: unknown IANA time zone' }] });
    // a retried beacon with one new event: only the new one is spooled
    const fresh = makeEvent();
    const retry = await h.app.inject({ method: 'POST', url: '/collect', payload: { events: [events[0], fresh, events[1]] } });
    assert.equal(retry.statusCode, 202, retry.body);
    assert.deepEqual(retry.json(), { accepted: 3, duplicates: 2, rejected: [] });
    const spoolDir = path.join(h.dataDir, 'spool', 'clickstream');
    const spooled = (await Promise.all((await readdir(spoolDir)).map((f) => readFile(path.join(spoolDir, f), 'latin1')))).join('');
    for (const id of [events[0]?.id, events[1]?.id, fresh.id]) assert.equal(spooled.split(String(id)).length - 1, 1, `${String(id)} spooled once`);
    const attack = await h.app.inject({ method: 'POST', url: '/collect', payload: { events: [makeEvent({ referrer: 'https://example.com/?q=<script>document.cookie</script>' })] } });
    assert.equal(attack.statusCode, 403, attack.body);
    assert.equal(attack.json().error.code, 'WAF_BLOCKED');
    assert.ok(!attack.body.includes('script'), 'the answer names no rule and echoes nothing');
    const broken = await h.app.inject({ method: 'POST', url: '/collect', headers: { 'content-type': 'application/json' }, payload: '{"events":' });
    assert.equal(broken.statusCode, 400);
    assert.equal(broken.json().error.code, 'INVALID_JSON');
  });
});
