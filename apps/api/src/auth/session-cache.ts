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
 *
 * Ids PostgreSQL said name no active session (an expired or signed-out browser's cookie, a made-up
 * one) are kept too, apart (at most `maxEntries` of them, so made-up cookies cannot push real
 * sessions out), under the same rules: for at most ttlMs after PostgreSQL said so, emptied with the
 * sessions. A session is only ever created under a fresh random id, so an id read as absent does
 * not come to life meanwhile (a signed-out session's row is gone for good).
 */
export class SessionCache {
  private readonly entries: LRUCache<string, CachedSession>;
  /** Ids read as naming no active session, with when PostgreSQL said so (ms since the epoch). */
  private readonly absent: LRUCache<string, number>;
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(options: { ttlMs: number; maxEntries: number }) {
    this.ttlMs = options.ttlMs;
    this.maxEntries = options.maxEntries;
    // LRUCache needs max ≥ 1; with maxEntries 0 the cache is disabled and set() keeps nothing
    this.entries = new LRUCache({ max: Math.max(1, options.maxEntries) });
    this.absent = new LRUCache({ max: Math.max(1, options.maxEntries) });
  }

  get isEnabled(): boolean {
    return this.ttlMs > 0 && this.maxEntries > 0;
  }

  /** Sessions and absent ids kept. */
  get size(): number {
    return this.entries.size + this.absent.size;
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

  /** Whether PostgreSQL said less than ttlMs ago that this id names no active session. */
  isKnownAbsent(idHash: Buffer, now: number): boolean {
    if (this.absent.size === 0) return false;
    const key = idHash.toString('base64');
    const readAt = this.absent.peek(key);
    if (readAt === undefined) return false;
    if (now - readAt >= this.ttlMs) {
      this.absent.delete(key);
      return false;
    }
    return true;
  }

  /** Keeps an id PostgreSQL just said names no active session. */
  setAbsent(idHash: Buffer, now: number): void {
    if (!this.isEnabled) return;
    this.absent.set(idHash.toString('base64'), now);
  }

  delete(idHash: Buffer): void {
    const key = idHash.toString('base64');
    this.entries.delete(key);
    this.absent.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.absent.clear();
  }
}
