import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import type { StreamSink } from '../stream/stream.js';
import { Collector, prepareBatch, type BatchEntry } from './collector.js';
import { DEFAULT_LIMITS } from './validate.js';

setFlagsFromString('--expose-gc');
// the flag makes `gc` a global of contexts created from now on; checked callable below
const collectGarbage: unknown = runInNewContext('gc');

const deadLetterDir = mkdtempSync(path.join(tmpdir(), 'collector-test-'));
after(() => rmSync(deadLetterDir, { recursive: true, force: true }));

/** A sink that holds each payload until the test says it is durable. */
function heldSink(): StreamSink & { payloads: Buffer[]; release: () => void } {
  const waiting: Array<() => void> = [];
  const payloads: Buffer[] = [];
  return {
    kind: 'spool',
    payloads,
    append: (payload) => {
      payloads.push(payload);
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    release: () => {
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
}

function event(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: `b3ac0000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`, type: 'page_view', ts: Date.now(), visitorId: 'visitor_0001', sessionId: 'session_0001', path: `/p/${n}`, ...extra };
}

const facts = { receivedAt: Date.now(), userAgent: 'Mozilla/5.0 (X11; Linux x86_64)', ip: '198.51.100.7' };

describe('Collector', () => {
  it('spools new events once, acknowledges repeats (in the batch and of earlier batches) as duplicates, rejects naming the field', async () => {
    const sink = heldSink();
    const collector = new Collector({ sink, deadLetterDir, limits: DEFAULT_LIMITS, pseudonymKey: 'k' });
    const first = collector.collect([{ raw: event(1) }, { raw: event(2) }, { raw: event(1) }, { raw: event(3, { language: 'not a tag' }) }], facts);
    sink.release();
    assert.deepEqual(await first, { accepted: 3, duplicates: 1, rejected: [{ index: 3, id: event(3).id, reason: 'language: expected a BCP 47 tag such as en-US' }] });
    const lines = sink.payloads[0]?.toString('utf8').split('\n');
    assert.equal(lines?.length, 3, 'two lines and the final newline');
    assert.equal(lines?.at(-1), '');
    // spool lines are JSON objects with an event_id string (the format under test)
    assert.deepEqual(lines?.slice(0, 2).map((line) => (JSON.parse(line) as { event_id: string }).event_id), [event(1).id, event(2).id]);

    const second = collector.collect([{ raw: event(2, { id: String(event(2).id).toUpperCase() }) }, { raw: event(4) }], facts);
    sink.release();
    assert.deepEqual(await second, { accepted: 2, duplicates: 1, rejected: [] });
    assert.equal(sink.payloads[1]?.toString('utf8').split('\n').length, 2, 'only event 4 spooled');
  });

  it('derives each event\'s request columns from its own facts, however the facts objects follow each other', () => {
    const browser = { receivedAt: Date.now(), userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148', ip: '198.51.100.7' };
    const crawler = { receivedAt: Date.now(), userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', ip: '203.0.113.9' };
    const signedIn = { ...browser, sessionUserId: '42' };
    // one facts object per event (as the access log hands them over), equal ones apart and in a row
    const order = [browser, { ...browser }, crawler, { ...browser }, signedIn, { ...signedIn }, crawler, browser];
    const prepared = prepareBatch(order.map((eventFacts, n) => ({ entry: { raw: event(40 + n) }, facts: eventFacts })), { limits: DEFAULT_LIMITS, pseudonymKey: 'k' });
    // spool lines are JSON objects with the derived request columns (the format under test)
    const lines = Buffer.from(prepared.payload).toString('utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { device: string; is_bot: boolean; ip_prefix?: string; user_pseudonym?: string });
    const expected = order.map((eventFacts) => {
      const alone = prepareBatch([{ entry: { raw: event(1) }, facts: { ...eventFacts } }], { limits: DEFAULT_LIMITS, pseudonymKey: 'k' });
      const line = JSON.parse(Buffer.from(alone.payload).toString('utf8')) as { device: string; is_bot: boolean; ip_prefix?: string; user_pseudonym?: string };
      return [line.device, line.is_bot, line.ip_prefix, line.user_pseudonym];
    });
    assert.deepEqual(lines.map((line) => [line.device, line.is_bot, line.ip_prefix, line.user_pseudonym]), expected);
    assert.deepEqual(new Set(expected.map((columns) => columns.join())).size, 3, 'three distinct requests');
    assert.equal(lines[2]?.is_bot, true);
    assert.equal(lines[3]?.is_bot, false);
    assert.ok(lines[4]?.user_pseudonym !== undefined && lines[3]?.user_pseudonym === undefined);
  });

  it('commits a batch prepared elsewhere (a worker thread), cutting the lines of recently collected ids out of its payload', async () => {
    const sink = heldSink();
    const collector = new Collector({ sink, deadLetterDir, limits: DEFAULT_LIMITS, pseudonymKey: 'k' });
    const earlier = collector.collect([{ raw: event(21) }, { raw: event(22) }], facts);
    sink.release();
    await earlier;
    // as a worker posts it back: a plain Uint8Array payload, non-ASCII text in one line
    const prepared = prepareBatch([event(22), event(23, { path: '/søk/jakke' }), event(21), event(24), event(23)].map((raw) => ({ entry: { raw }, facts })), { limits: DEFAULT_LIMITS, pseudonymKey: 'k' });
    const committed = collector.commitPrepared({ ...prepared, payload: new Uint8Array(prepared.payload) });
    sink.release();
    assert.deepEqual(await committed, { accepted: 5, duplicates: 3, rejected: [] });
    const lines = sink.payloads[1]?.toString('utf8').split('\n');
    // spool lines are JSON objects with event_id and path (the format under test)
    const spooled = lines?.slice(0, -1).map((line) => JSON.parse(line) as { event_id: string; path: string });
    assert.deepEqual(spooled?.map((line) => [line.event_id, line.path]), [
      [event(23).id, '/søk/jakke'],
      [event(24).id, '/p/24'],
    ]);
    assert.equal(lines?.at(-1), '', 'the payload still ends with a newline');
  });

  it('does not remember ids whose append failed, so the retry is spooled', async () => {
    let fail = true;
    const payloads: Buffer[] = [];
    const sink: StreamSink = { kind: 'spool', append: async (payload) => (fail ? Promise.reject(new Error('disk gone')) : void payloads.push(payload)) };
    const collector = new Collector({ sink, deadLetterDir, limits: DEFAULT_LIMITS, pseudonymKey: 'k' });
    await assert.rejects(collector.collect([{ raw: event(7) }], facts), /disk gone/);
    fail = false;
    assert.deepEqual(await collector.collect([{ raw: event(7) }], facts), { accepted: 1, duplicates: 0, rejected: [] });
    assert.equal(payloads.length, 1);
  });

  it('keeps nothing of the parsed batch while it waits for the disk (only the payload and the ids as words)', async () => {
    assert.equal(typeof collectGarbage, 'function');
    const sink = heldSink();
    const collector = new Collector({ sink, deadLetterDir, limits: DEFAULT_LIMITS, pseudonymKey: 'k' });
    let entries: BatchEntry[] | undefined = [{ raw: event(10) }, { raw: event(11) }];
    const parsed = new WeakRef(entries[0] ?? {});
    const pending = collector.collect(entries, facts);
    entries = undefined;
    // a WeakRef's target lives at least to the end of the current job
    await new Promise((resolve) => setImmediate(resolve));
    if (typeof collectGarbage === 'function') collectGarbage();
    assert.equal(parsed.deref(), undefined, 'the parsed event was still reachable during the append');
    sink.release();
    assert.deepEqual(await pending, { accepted: 2, duplicates: 0, rejected: [] });
  });
});
