import { LRUCache } from 'lru-cache';

import type { SessionRecord } from '@threadline/db';

/** A session as the cache keeps it: the row as read, with its expiry, and when it was read. */
export interface CachedSession {
  record: SessionRecord;
  /** When PostgreSQL last confirmed the session (ms since the epoch). */
  readAt: number;
}

/**
 * Recently read sessions of this API process, so that a shopper's burst of requests (add to cart,
 * place the order, pay: three requests in well under a second) reads its session once.
 *
 * Revocation stays prompt:
 * - on this process at once: the session plugin empties the cache before and after every
 *   state-changing request that is not marked `config: { keepsSessions: true }` (sign-out, password
 *   change, account deletion, role change, admin edits…), so no route that can end a session or
 *   change an account is served from a copy read before it;
 * - elsewhere (another API replica, the worker, the CLI, SQL by hand) within `ttlMs`: an entry is
 *   used for at most that long after PostgreSQL last confirmed it, and never past its expiry.
 *
 * Bounded: at most `maxEntries` (an LRUCache, as the other caches of the project); reads use
 * `peek`, so the session read longest ago is dropped first.
 */
export class SessionCache {
  private readonly entries: LRUCache<string, CachedSession>;
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(options: { ttlMs: number; maxEntries: number }) {
    this.ttlMs = options.ttlMs;
    this.maxEntries = options.maxEntries;
    // LRUCache needs max ≥ 1; with maxEntries 0 the cache is disabled and set() keeps nothing
    this.entries = new LRUCache({ max: Math.max(1, options.maxEntries) });
  }

  get isEnabled(): boolean {
    return this.ttlMs > 0 && this.maxEntries > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The session read less than ttlMs ago and not yet expired, else undefined. */
  get(idHash: Buffer, now: number): SessionRecord | undefined {
    const key = idHash.toString('base64');
    const entry = this.entries.peek(key);
    if (!entry) return undefined;
    if (now - entry.readAt >= this.ttlMs || entry.record.expiresAt.getTime() <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.record;
  }

  /** Keeps a session just confirmed by PostgreSQL (refreshes its age when already kept). */
  set(record: SessionRecord, now: number): void {
    if (!this.isEnabled) return;
    const key = record.idHash.toString('base64');
    this.entries.set(key, { record, readAt: now });
  }

  delete(idHash: Buffer): void {
    this.entries.delete(idHash.toString('base64'));
  }

  clear(): void {
    this.entries.clear();
  }
}
