import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

import { negotiateCoding } from '../compression.js';

import { isSharedCacheable, MicroCache, sharedFreshnessMs } from './micro-cache.js';

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'public, max-age=0, s-maxage=2' };
const body = Buffer.from('{"items":[]}');

function cacheAt(clock: { now: number }, maxTtlMs = 2_000, maxEntries = 1000): MicroCache {
  return new MicroCache({ maxTtlMs, maxEntries, now: () => clock.now });
}

describe('shared freshness from Cache-Control', () => {
  it('prefers s-maxage, falls back to max-age, and refuses private, no-store and no-cache', () => {
    assert.equal(sharedFreshnessMs('public, max-age=0, s-maxage=2'), 2_000);
    assert.equal(sharedFreshnessMs('public, max-age=5'), 5_000);
    assert.equal(sharedFreshnessMs('Public, S-MAXAGE="3"'), 3_000);
    assert.equal(sharedFreshnessMs('private, max-age=60'), 0);
    assert.equal(sharedFreshnessMs('no-store'), 0);
    assert.equal(sharedFreshnessMs('no-cache, s-maxage=10'), 0);
    assert.equal(sharedFreshnessMs('public'), 0);
    assert.equal(sharedFreshnessMs('max-age=-1'), 0);
    assert.equal(sharedFreshnessMs(undefined), 0);
  });

  it('shares only credential-less GETs', () => {
    assert.equal(isSharedCacheable('GET', {}), true);
    assert.equal(isSharedCacheable('HEAD', {}), false);
    assert.equal(isSharedCacheable('POST', {}), false);
    assert.equal(isSharedCacheable('GET', { cookie: 'tl_session=abc' }), false);
    assert.equal(isSharedCacheable('GET', { cookie: 'tl_vid=v1; tl_sid=s1' }), true, 'analytics ids only');
    assert.equal(isSharedCacheable('GET', { cookie: 'tl_vid=v1; tl_session=abc' }), false);
    assert.equal(isSharedCacheable('GET', { cookie: 'tl_vid=v1; other=1' }), false, 'an unknown cookie is private');
    assert.equal(isSharedCacheable('GET', { authorization: 'Bearer x' }), false);
  });
});

describe('the web tier micro-cache', () => {
  it('serves a stored answer until its freshness (capped by maxTtlMs) runs out, with its age', () => {
    const clock = { now: 1_000_000 };
    const cache = cacheAt(clock, 1_500);
    assert.equal(cache.store('/api/products', {}, { status: 200, headers: JSON_HEADERS, body }, cache.generation), true);
    clock.now += 1_000;
    const hit = cache.lookup('/api/products', {});
    assert.ok(hit);
    assert.deepEqual(hit.body, body);
    assert.equal(cache.ageSeconds(hit), 1);
    // the API allowed 2 s; the web tier keeps it 1.5 s
    clock.now += 500;
    assert.equal(cache.lookup('/api/products', {}), undefined);
    assert.equal(cache.lookup('/api/products?page=2', {}), undefined);
  });

  it('refuses answers a shared cache must not keep', () => {
    const cache = cacheAt({ now: 0 });
    const refused: Array<[string, number, Record<string, string | string[]>]> = [
      ['set-cookie', 200, { ...JSON_HEADERS, 'set-cookie': ['tl_session=x'] }],
      ['private', 200, { ...JSON_HEADERS, 'cache-control': 'private, no-store' }],
      ['no cache-control', 200, { 'content-type': 'application/json' }],
      ['already encoded', 200, { ...JSON_HEADERS, 'content-encoding': 'br' }],
      ['vary *', 200, { ...JSON_HEADERS, vary: '*' }],
      ['not a 200', 404, JSON_HEADERS],
    ];
    for (const [label, status, headers] of refused) {
      assert.equal(cache.store('/api/x', {}, { status, headers, body }, cache.generation), false, label);
    }
    assert.equal(cache.store('/api/big', {}, { status: 200, headers: JSON_HEADERS, body: Buffer.alloc(cache.maxBodyBytes + 1) }, cache.generation), false);
    assert.equal(cache.size, 0);
    assert.equal(new MicroCache({ maxTtlMs: 0 }).store('/api/x', {}, { status: 200, headers: JSON_HEADERS, body }, 0), false);
  });

  it('keys an entry on the request headers its Vary names', () => {
    const cache = cacheAt({ now: 0 });
    cache.store('/api/products', { origin: 'https://a.example' }, { status: 200, headers: { ...JSON_HEADERS, vary: 'Origin' }, body }, cache.generation);
    assert.ok(cache.lookup('/api/products', { origin: 'https://a.example' }));
    assert.equal(cache.lookup('/api/products', { origin: 'https://b.example' }), undefined);
    assert.equal(cache.lookup('/api/products', {}), undefined);
  });

  it('holds at most maxEntries, dropping the oldest, and forgets everything on clear', () => {
    const cache = cacheAt({ now: 0 }, 2_000, 2);
    for (const url of ['/a', '/b', '/c']) cache.store(url, {}, { status: 200, headers: JSON_HEADERS, body }, cache.generation);
    assert.equal(cache.size, 2);
    assert.equal(cache.lookup('/a', {}), undefined);
    assert.ok(cache.lookup('/c', {}));
    cache.clear();
    assert.equal(cache.lookup('/c', {}), undefined);
  });

  it('when full, drops the page asked for least recently, not a popular one', () => {
    const cache = cacheAt({ now: 0 }, 2_000, 2);
    const store = (url: string): boolean => cache.store(url, {}, { status: 200, headers: JSON_HEADERS, body }, cache.generation);
    store('/popular');
    store('/b');
    assert.ok(cache.lookup('/popular', {}));
    store('/c');
    assert.equal(cache.lookup('/b', {}), undefined);
    assert.ok(cache.lookup('/popular', {}));
    assert.ok(cache.lookup('/c', {}));
  });

  it('does not store an answer requested before a change cleared the cache', () => {
    const cache = cacheAt({ now: 0 });
    const requestedAt = cache.generation;
    cache.clear(); // a seller's edit went through while the answer was on its way
    assert.equal(cache.store('/api/products', {}, { status: 200, headers: JSON_HEADERS, body }, requestedAt), false);
    assert.equal(cache.lookup('/api/products', {}), undefined);
    assert.equal(cache.store('/api/products', {}, { status: 200, headers: JSON_HEADERS, body }, cache.generation), true);
  });
});

describe('micro-cache fills and encodings', () => {
  it('lets a burst wait for the one upstream fetch in flight', async () => {
    const cache = cacheAt({ now: 0 });
    assert.equal(cache.pendingFill('/a'), undefined);
    const finish = cache.startFill('/a');
    // a second fill for the same target while one is in flight does not replace it
    const noop = cache.startFill('/a');
    noop();
    const pending = cache.pendingFill('/a');
    assert.ok(pending);
    let isDone = false;
    const waiting = pending.then(() => {
      isDone = true;
    });
    await Promise.resolve();
    assert.equal(isDone, false);
    cache.store('/a', {}, { status: 200, headers: JSON_HEADERS, body }, cache.generation);
    finish();
    await waiting;
    assert.equal(isDone, true);
    assert.equal(cache.pendingFill('/a'), undefined);
    assert.ok(cache.lookup('/a', {}));
  });

  it('compresses a JSON answer once per coding, and leaves small or binary answers alone', () => {
    const cache = cacheAt({ now: 0 });
    const json = Buffer.from(JSON.stringify({ items: Array.from({ length: 200 }, (_, id) => ({ id, name: `Tee ${id}` })) }));
    cache.store('/list', {}, { status: 200, headers: JSON_HEADERS, body: json }, cache.generation);
    const entry = cache.lookup('/list', {});
    assert.ok(entry);
    const br = cache.encodedBody(entry, 'br');
    assert.ok(br);
    assert.ok(br.length < json.length);
    assert.deepEqual(brotliDecompressSync(br), json);
    assert.equal(cache.encodedBody(entry, 'br'), br, 'made once, then reused');
    const gzip = cache.encodedBody(entry, 'gzip');
    assert.ok(gzip);
    assert.deepEqual(gunzipSync(gzip), json);
    assert.equal(cache.encodedBody(entry, undefined), undefined);
    cache.store('/small', {}, { status: 200, headers: JSON_HEADERS, body }, cache.generation);
    const small = cache.lookup('/small', {});
    assert.ok(small);
    assert.equal(cache.encodedBody(small, 'br'), undefined);
    cache.store('/img', {}, { status: 200, headers: { 'content-type': 'image/webp', 'cache-control': 'public, max-age=60' }, body: Buffer.alloc(4096) }, cache.generation);
    const image = cache.lookup('/img', {});
    assert.ok(image);
    assert.equal(cache.encodedBody(image, 'br'), undefined);
  });

  it('negotiates brotli, then gzip, honouring q=0', () => {
    assert.equal(negotiateCoding('gzip, deflate, br, zstd'), 'br');
    assert.equal(negotiateCoding('br;q=0, gzip;q=0.5'), 'gzip');
    assert.equal(negotiateCoding('identity'), undefined);
    assert.equal(negotiateCoding('br;q=0,gzip;q=0'), undefined);
    assert.equal(negotiateCoding(undefined), undefined);
  });
});
