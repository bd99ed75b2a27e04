/**
 * Product list pages and product pages are the same for every visitor, and a busy shop asks for
 * the same few thousands of times a second. An answer is kept for a short time
 * (THREADLINE_LIST_CACHE_MS, default 2 s) so a burst costs one query. Any successful change made
 * through this process (product edit, stock, order, cancel…) clears the cache at once; changes
 * made by other replicas or background jobs show within the TTL. Checkout always reads live stock.
 */
export class ListPageCache<T = string> {
  private readonly pages = new Map<string, { body: T; expiresAt: number }>();
  private readonly loading = new Map<string, Promise<T>>();
  private generation = 0;

  constructor(
    readonly ttlMs: number,
    private readonly maxEntries = 1000,
  ) {}

  /**
   * The cached page for `key`, or the result of `load` (one load per key at a time: concurrent
   * misses share it). A loaded value that `isKept` refuses is answered but not kept.
   */
  async getOrLoad(key: string, load: () => Promise<T>, isKept: (body: T) => boolean = () => true): Promise<{ body: T; isHit: boolean }> {
    if (this.ttlMs <= 0) return { body: await load(), isHit: false };
    const cached = this.pages.get(key);
    if (cached && cached.expiresAt > Date.now()) return { body: cached.body, isHit: true };
    const pending = this.loading.get(key);
    if (pending) return { body: await pending, isHit: true };
    const generation = this.generation;
    const promise = load();
    this.loading.set(key, promise);
    try {
      const body = await promise;
      // a change that happened while loading may not be in this body: do not keep it
      if (generation === this.generation && isKept(body)) {
        if (this.pages.size >= this.maxEntries) this.pages.delete(this.pages.keys().next().value ?? '');
        this.pages.set(key, { body, expiresAt: Date.now() + this.ttlMs });
      }
      return { body, isHit: false };
    } finally {
      this.loading.delete(key);
    }
  }

  clear(): void {
    this.generation += 1;
    this.pages.clear();
  }
}


