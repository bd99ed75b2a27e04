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
