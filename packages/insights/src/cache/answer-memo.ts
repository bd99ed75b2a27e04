import { LRUCache } from 'lru-cache';

import type { CacheInfo } from '../types.js';

/** A dashboard answer as served: its figures as JSON text, when its data is from, and how it was cached. */
export interface Served {
  /** the figures as JSON text: on a cache hit exactly the stored text, never parsed */
  json: string;
  asOf: string | null;
  cache: CacheInfo;
}

/** An answer as remembered in process: what was served and the data version it was computed from. */
interface Remembered {
  served: Served;
  dataVersion: string;
  rememberedAt: number;
}

/**
 * Cached answers this process read from the store (`insight_cache`), per dashboard and
 * parameters, so a repeated view costs no database read: an entry counts only while the data version (the lake files behind the
 * dashboard, plus e.g. the entered ad costs) is still the one it was computed from, and for at
 * most `maxAgeMs` (another replica's "refresh now" recomputes the same figures from the same
 * files, so the bound only limits how old the `cache.computedAt` shown can be). Bounded in size:
 * the least recently used answer goes first.
 */
export class AnswerMemo {
  private readonly entries: LRUCache<string, Remembered>;

  constructor(
    private readonly options: { maxEntries?: number; maxAgeMs?: number; now?: () => number } = {},
  ) {
    // age is checked here with the data version, against the clock given (tests pass their own)
    this.entries = new LRUCache({ max: options.maxEntries ?? 500 });
  }

  private static key(dashboard: string, paramsKey: string): string {
    return `${dashboard}\u0000${paramsKey}`;
  }

  /** The remembered answer for these parameters when it was computed from `dataVersion`. */
  get(dashboard: string, paramsKey: string, dataVersion: string): Served | undefined {
    const key = AnswerMemo.key(dashboard, paramsKey);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const now = (this.options.now ?? Date.now)();
    if (entry.dataVersion !== dataVersion || now - entry.rememberedAt > (this.options.maxAgeMs ?? 30_000)) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.served;
  }

  set(dashboard: string, paramsKey: string, dataVersion: string, served: Served): void {
    this.entries.set(AnswerMemo.key(dashboard, paramsKey), { served, dataVersion, rememberedAt: (this.options.now ?? Date.now)() });
  }

  /** Forgets everything (after "refresh now" in this process). */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
