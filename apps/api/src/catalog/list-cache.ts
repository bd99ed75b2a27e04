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
 */
export class ListPageCache<T = string> {
  private readonly pages = new Map<string, { body: T; expiresAt: number }>();
  private readonly loading = new Map<string, Promise<T>>();
  private generation = 0;

  constructor(
    readonly ttlMs: number,
    private readonly maxEntries = 1000,
    /** How long after expiry an answer may still be served while it is refilled. */
    readonly maxStaleMs = ttlMs,
  ) {}

  /**
   * The cached page for `key`, or the result of `load` (one load per key at a time: concurrent
   * misses share it). An expired page within `maxStaleMs` is answered at once while one refill
   * runs. A loaded value that `isKept` refuses is answered but not kept.
   */
  async getOrLoad(key: string, load: () => Promise<T>, isKept: (body: T) => boolean = () => true): Promise<{ body: T; isHit: boolean; isStale?: boolean }> {
    if (this.ttlMs <= 0) return { body: await load(), isHit: false };
    const cached = this.pages.get(key);
    const now = Date.now();
    if (cached && cached.expiresAt > now) return { body: cached.body, isHit: true };
    if (cached && cached.expiresAt + this.maxStaleMs > now) {
      if (!this.loading.has(key)) {
        // the refill's failure is the next asker's miss; nobody waits on it here
        this.fill(key, load, isKept).catch(() => undefined);
      }
      return { body: cached.body, isHit: true, isStale: true };
    }
    const pending = this.loading.get(key);
    if (pending) return { body: await pending, isHit: true };
    return { body: await this.fill(key, load, isKept), isHit: false };
  }

  private async fill(key: string, load: () => Promise<T>, isKept: (body: T) => boolean): Promise<T> {
    const generation = this.generation;
    const promise = load();
    this.loading.set(key, promise);
    try {
      const body = await promise;
      // a change that happened while loading may not be in this body: do not keep it
      if (generation !== this.generation) return body;
      this.pages.delete(key);
      if (isKept(body)) {
        if (this.pages.size >= this.maxEntries) this.pages.delete(this.pages.keys().next().value ?? '');
        this.pages.set(key, { body, expiresAt: Date.now() + this.ttlMs });
      }
      return body;
    } finally {
      if (this.loading.get(key) === promise) this.loading.delete(key);
    }
  }

  /** Forgets every answer, stale ones included; loads in flight are answered but not kept. */
  clear(): void {
    this.generation += 1;
    this.pages.clear();
    this.loading.clear();
  }
}
