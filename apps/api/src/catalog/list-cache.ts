import { LRUCache } from 'lru-cache';

/** How a page is loaded, and whether the loaded page may be kept (per call: `getOrLoad`'s arguments). */
interface Loader<T> {
  load: () => Promise<T>;
  isKept: (body: T) => boolean;
}

/**
 * Product list pages and product pages are the same for every visitor, and a busy shop asks for
 * the same few thousands of times a second. An answer is kept for a short time
 * (THREADLINE_LIST_CACHE_MS, default 2 s) so a burst costs one query.
 *
 * - Expiry does not make shoppers wait: for up to another TTL after it expires, the previous
 *   answer is still served (`x-cache: stale`) while ONE refill runs in the background; only a
 *   page nobody asked for in two TTLs is loaded while its askers wait (concurrent misses share
 *   that one load). So an answer is at most two TTLs old.
 * - Any successful change to the catalogue or stock made through this process (product edit,
 *   publish, review, order, payment, cancel…) clears the cache at once, stale copies included, and
 *   an answer whose load started before such a change is answered but never kept. Changes made by
 *   other replicas or background jobs show within two TTLs. Checkout always reads live stock.
 *
 * lru-cache does the keeping: `fetch()` shares one load per key and serves the stale answer while
 * it refills; `clear()` drops loads in flight from the cache, and `ignoreFetchAbort` still hands
 * their answer to whoever awaits them. The least recently used page goes first when full.
 */
export class ListPageCache<T = string> {
  /** Bodies are boxed: lru-cache keeps objects only, and a body may be null (no such product). */
  private readonly pages: LRUCache<string, { body: T }, Loader<T>>;

  constructor(
    readonly ttlMs: number,
    maxEntries = 1000,
    /** How long after expiry an answer may still be served while it is refilled. */
    readonly maxStaleMs = ttlMs,
  ) {
    this.pages = new LRUCache({
      max: maxEntries,
      ttl: Math.max(0, ttlMs),
      fetchMethod: async (key, _stale, { signal, context }) => {
        const body = await context.load();
        // not to be kept: drop this load (and the stale copy it refills); its askers still get it
        if (!context.isKept(body) && !signal.aborted) this.pages.delete(key);
        return { body };
      },
      // a load begun before clear() or delete() is answered to its askers, though not kept
      ignoreFetchAbort: true,
      // a failed refill keeps the stale answer (still bounded by maxStaleMs); a failed miss rejects
      noDeleteOnFetchRejection: true,
    });
  }

  /**
   * The cached page for `key`, or the result of `load` (one load per key at a time: concurrent
   * misses share it). An expired page within `maxStaleMs` is answered at once while one refill
   * runs. A loaded value that `isKept` refuses is answered but not kept.
   */
  async getOrLoad(key: string, load: () => Promise<T>, isKept: (body: T) => boolean = () => true): Promise<{ body: T; isHit: boolean; isStale?: boolean }> {
    if (this.ttlMs <= 0) return { body: await load(), isHit: false };
    const status: LRUCache.Status<string, { body: T }, Loader<T>> = {};
    // past the staleness bound the askers wait for a fresh load (or the one in flight)
    const allowStale = this.pages.getRemainingTTL(key) > -this.maxStaleMs;
    const page = await this.pages.fetch(key, { context: { load, isKept }, allowStale, status });
    // undefined only comes of an aborted load, which ignoreFetchAbort turns into its answer
    if (page === undefined) return { body: await load(), isHit: false };
    if (status.returnedStale) return { body: page.body, isHit: true, isStale: true };
    return { body: page.body, isHit: status.fetch === 'hit' || status.fetch === 'inflight' };
  }

  /**
   * The kept page for `key` while it is fresh (within ttlMs of its load), without a promise:
   * the usual case under load. Undefined otherwise — expired, loading, never kept or forgotten —
   * and then `getOrLoad` decides (a stale page is left in place for it).
   */
  getFresh(key: string): T | undefined {
    if (this.ttlMs <= 0 || this.pages.getRemainingTTL(key) <= 0) return undefined;
    return this.pages.get(key)?.body;
  }

  /** Forgets every answer, stale ones included; loads in flight are answered but not kept. */
  clear(): void {
    this.pages.clear();
  }
}
