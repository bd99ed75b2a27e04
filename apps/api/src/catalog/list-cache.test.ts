import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ConfigError, loadConfig } from '@threadline/config';

import { ListPageCache } from './list-cache.js';

describe('product list page cache', () => {
  it('answers a repeated page from memory until it expires', async () => {
    const cache = new ListPageCache(60_000);
    let loads = 0;
    const load = async (): Promise<string> => `page-${++loads}`;
    assert.deepEqual(await cache.getOrLoad('a', load), { body: 'page-1', isHit: false });
    assert.deepEqual(await cache.getOrLoad('a', load), { body: 'page-1', isHit: true });
    assert.deepEqual(await cache.getOrLoad('b', load), { body: 'page-2', isHit: false });
  });

  it('gives a fresh page without a promise, and nothing for an expired, loading, refused or forgotten one (getOrLoad decides those)', async () => {
    const cache = new ListPageCache<string | null>(60);
    assert.equal(cache.getFresh('a'), undefined, 'never loaded');
    let release: () => void = () => undefined;
    const loading = cache.getOrLoad('a', async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return 'page-1';
    });
    assert.equal(cache.getFresh('a'), undefined, 'still loading');
    release();
    await loading;
    assert.equal(cache.getFresh('a'), 'page-1');
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(cache.getFresh('a'), undefined, 'expired');
    // the expired page is still there for getOrLoad to answer while it refills
    assert.deepEqual(await cache.getOrLoad('a', async () => 'page-2'), { body: 'page-1', isHit: true, isStale: true });
    await cache.getOrLoad('b', async () => null, (body) => body !== null);
    assert.equal(cache.getFresh('b'), undefined, 'a refused page is not kept');
    await cache.getOrLoad('c', async () => 'page-c');
    cache.clear();
    assert.equal(cache.getFresh('c'), undefined, 'forgotten on a change');
    const off = new ListPageCache<string>(0);
    await off.getOrLoad('a', async () => 'page');
    assert.equal(off.getFresh('a'), undefined, 'nothing kept with a TTL of 0');
  });

  it('shares one load among concurrent misses', async () => {
    const cache = new ListPageCache(60_000);
    let loads = 0;
    const load = async (): Promise<string> => {
      loads += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return 'page';
    };
    const answers = await Promise.all(Array.from({ length: 50 }, () => cache.getOrLoad('a', load)));
    assert.equal(loads, 1);
    assert.ok(answers.every((answer) => answer.body === 'page'));
  });

  it('forgets everything on a change, and never keeps a page loaded across a change', async () => {
    const cache = new ListPageCache(60_000);
    let version = 1;
    let release: () => void = () => undefined;
    const slow = cache.getOrLoad('a', async () => {
      const seen = version;
      await new Promise<void>((resolve) => (release = resolve));
      return `v${seen}`;
    });
    version = 2;
    cache.clear();
    release();
    assert.equal((await slow).body, 'v1');
    assert.deepEqual(await cache.getOrLoad('a', async () => `v${version}`), { body: 'v2', isHit: false });
    cache.clear();
    assert.equal((await cache.getOrLoad('a', async () => 'v3')).isHit, false);
  });

  it('serves the expired page while one refill runs, within a bounded staleness', async () => {
    const cache = new ListPageCache(30, 1000, 10_000);
    let version = 1;
    let loads = 0;
    let release: () => void = () => undefined;
    const load = async (): Promise<string> => {
      loads += 1;
      const seen = version;
      if (loads > 1) await new Promise<void>((resolve) => (release = resolve));
      return `v${seen}`;
    };
    assert.deepEqual(await cache.getOrLoad('a', load), { body: 'v1', isHit: false });
    await new Promise((resolve) => setTimeout(resolve, 40));
    version = 2;
    // expired: 50 askers get the previous page at once, and only one refill starts
    const answers = await Promise.all(Array.from({ length: 50 }, () => cache.getOrLoad('a', load)));
    assert.ok(answers.every((answer) => answer.body === 'v1' && answer.isStale === true));
    assert.equal(loads, 2);
    release();
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(await cache.getOrLoad('a', load), { body: 'v2', isHit: true });

    // past the staleness bound the page is loaded while the asker waits
    const short = new ListPageCache(10, 1000, 10);
    await short.getOrLoad('a', async () => 'old');
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.deepEqual(await short.getOrLoad('a', async () => 'new'), { body: 'new', isHit: false });
  });

  it('never serves a stale page after a change, and does not hand a load begun before it to later askers', async () => {
    const cache = new ListPageCache(20, 1000, 60_000);
    await cache.getOrLoad('a', async () => 'before');
    await new Promise((resolve) => setTimeout(resolve, 30));
    cache.clear();
    assert.deepEqual(await cache.getOrLoad('a', async () => 'after'), { body: 'after', isHit: false });

    let release: () => void = () => undefined;
    const early = cache.getOrLoad('b', async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return 'loaded before the change';
    });
    cache.clear();
    const late = await cache.getOrLoad('b', async () => 'loaded after the change');
    assert.deepEqual(late, { body: 'loaded after the change', isHit: false });
    release();
    assert.equal((await early).body, 'loaded before the change');
    assert.deepEqual(await cache.getOrLoad('b', async () => 'unused'), { body: 'loaded after the change', isHit: true });
  });

  it('answers a page that isKept refuses without keeping it, nor the stale copy its refill replaced', async () => {
    const cache = new ListPageCache<string | null>(100, 1000, 60_000);
    const isKept = (body: string | null): boolean => body !== null;
    let loads = 0;
    const gone = async (): Promise<null> => {
      loads += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return null;
    };
    // concurrent askers share the one load and all get its answer; nothing is kept
    const answers = await Promise.all(Array.from({ length: 5 }, () => cache.getOrLoad('a', gone, isKept)));
    assert.equal(loads, 1);
    assert.ok(answers.every((answer) => answer.body === null));
    assert.deepEqual(await cache.getOrLoad('a', async () => 'published', isKept), { body: 'published', isHit: false });
    assert.deepEqual(await cache.getOrLoad('a', gone, isKept), { body: 'published', isHit: true });

    // expired: the stale copy is served while the refill finds the page gone, then dropped with it
    await new Promise((resolve) => setTimeout(resolve, 130));
    assert.deepEqual(await cache.getOrLoad('a', gone, isKept), { body: 'published', isHit: true, isStale: true });
    await new Promise((resolve) => setTimeout(resolve, 130));
    assert.equal(loads, 2);
    assert.deepEqual(await cache.getOrLoad('a', async () => 'published again', isKept), { body: 'published again', isHit: false });
  });

  it('hands a failed load to its askers and keeps nothing of it; a failed refill leaves the stale copy', async () => {
    const cache = new ListPageCache(100, 1000, 60_000);
    const failing = async (): Promise<string> => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new Error('database unavailable');
    };
    const askers = Array.from({ length: 3 }, () => cache.getOrLoad('a', failing));
    for (const asker of askers) await assert.rejects(asker, /database unavailable/);
    assert.deepEqual(await cache.getOrLoad('a', async () => 'v1'), { body: 'v1', isHit: false });
    await new Promise((resolve) => setTimeout(resolve, 130));
    assert.deepEqual(await cache.getOrLoad('a', failing), { body: 'v1', isHit: true, isStale: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
    // the refill failed: the stale copy is still served, and the next asker starts another refill
    assert.deepEqual(await cache.getOrLoad('a', async () => 'v2'), { body: 'v1', isHit: true, isStale: true });
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(await cache.getOrLoad('a', failing), { body: 'v2', isHit: true });
  });

  it('is off with a TTL of 0 and reads the TTL from the environment', async () => {
    const cache = new ListPageCache(0);
    let loads = 0;
    await cache.getOrLoad('a', async () => `${++loads}`);
    await cache.getOrLoad('a', async () => `${++loads}`);
    assert.equal(loads, 2);
    // the TTL comes from the configuration tree; a typo stops the process instead of passing silently
    assert.equal(loadConfig({}).listCacheMs, 2_000);
    assert.equal(loadConfig({ THREADLINE_LIST_CACHE_MS: '0' }).listCacheMs, 0);
    assert.throws(() => loadConfig({ THREADLINE_LIST_CACHE_MS: 'soon' }), ConfigError);
  });
});
