import type { IncomingHttpHeaders } from 'node:http';

import { LRUCache } from 'lru-cache';

import { compressBody, COMPRESSION_THRESHOLD_BYTES, type ContentCoding } from '../compression.js';

/**
 * A short shared cache in the web tier for anonymous public GETs, as nginx's `proxy_cache` with a
 * one- or two-second validity does in front of an application: a burst of shoppers opening the
 * same list or product page costs one trip to the API tier. It stores only what HTTP allows a
 * shared cache to store, and less:
 * - requests without Authorization and without cookies other than the analytics ids (a session's
 *   answer is never shared: `tl_session` or any unknown cookie makes the request private);
 * - 200 answers whose Cache-Control gives a shared freshness (`s-maxage`, else `max-age`) and
 *   says neither `private`, `no-store` nor `no-cache`, with no Set-Cookie, no Content-Encoding
 *   and a known length up to `maxBodyBytes`;
 * - per `Vary`: the request headers it names are part of the entry (`Vary: *` is not stored).
 * Freshness is capped at `maxTtlMs`; the answer carries `Age`. Any successful change forwarded
 * through this web tier clears the cache (the API's own short caches work the same way). Bounded
 * in entries: the least recently used goes first.
 */

/** What is kept of an upstream answer. */
export interface CachedAnswer {
  status: number;
  /** Upstream headers without hop-by-hop ones, as they will be sent. */
  headers: Readonly<Record<string, string | string[]>>;
  body: Buffer;
  storedAt: number;
  expiresAt: number;
  /** The body compressed per coding, made on the first hit that asks for it. */
  encoded: Map<ContentCoding, Buffer>;
}

interface Entry extends CachedAnswer {
  /** Request header names from the answer's Vary, lowercased. */
  vary: readonly string[];
  /** Their values on the request that filled the entry. */
  varyKey: string;
}

export interface MicroCacheOptions {
  /** Longest time an answer is served from the cache, whatever the upstream allows (0 = off). */
  maxTtlMs: number;
  maxEntries?: number;
  maxBodyBytes?: number;
  /** Clock for tests. */
  now?: () => number;
}

/** A header value as one string (repeated headers joined with ", "); undefined when absent. */
export function headerText(value: string | string[] | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/**
 * Cookies that never change what the API answers: the storefront's analytics visitor and session
 * ids (apps/web/src/client/analytics), which nearly every browser sends. Any other cookie — the
 * API's `tl_session` above all, or one added later — makes the request private.
 */
export const SHAREABLE_COOKIES: ReadonlySet<string> = new Set(['tl_vid', 'tl_sid']);

function hasOnlyShareableCookies(cookie: string | undefined): boolean {
  if (cookie === undefined) return true;
  for (const part of cookie.split(';')) {
    const equals = part.indexOf('=');
    const name = (equals === -1 ? part : part.slice(0, equals)).trim();
    if (name !== '' && !SHAREABLE_COOKIES.has(name)) return false;
  }
  return true;
}

/**
 * May the answer to this request be shared with other clients? A GET without Authorization
 * whose cookies, if any, are only the analytics ids (never a session cookie).
 */
export function isSharedCacheable(method: string, headers: IncomingHttpHeaders): boolean {
  return method === 'GET' && headers.authorization === undefined && hasOnlyShareableCookies(headers.cookie);
}

/**
 * How long (ms) a shared cache may serve an answer with this Cache-Control: `s-maxage`, else
 * `max-age`; 0 when absent or when `private`, `no-store` or `no-cache` is present.
 *
 * @example
 * sharedFreshnessMs('public, max-age=0, s-maxage=2'); // 2000
 * sharedFreshnessMs('private, max-age=60');          // 0
 */
export function sharedFreshnessMs(cacheControl: string | undefined): number {
  if (!cacheControl) return 0;
  let maxAge: number | undefined;
  let sharedMaxAge: number | undefined;
  for (const part of cacheControl.toLowerCase().split(',')) {
    const [name = '', value] = part.trim().split('=', 2);
    if (name === 'private' || name === 'no-store' || name === 'no-cache') return 0;
    const seconds = value === undefined ? Number.NaN : Number(value.replace(/^"|"$/g, ''));
    if (!Number.isInteger(seconds) || seconds < 0) continue;
    if (name === 's-maxage') sharedMaxAge = seconds;
    else if (name === 'max-age') maxAge = seconds;
  }
  return (sharedMaxAge ?? maxAge ?? 0) * 1000;
}

function varyKey(names: readonly string[], headers: IncomingHttpHeaders): string {
  return names.map((name) => headerText(headers[name]) ?? '').join('\u0000');
}

export class MicroCache {
  /** Freshness is checked here against the clock given (`expiresAt`), as `Age` needs `storedAt`. */
  private readonly entries: LRUCache<string, Entry>;
  /** Request targets being fetched from upstream now, resolved when that request is answered. */
  private readonly filling = new Map<string, Promise<void>>();
  /** Counts clear(): an answer requested before a change must not be stored after it. */
  private clears = 0;
  readonly maxBodyBytes: number;
  private readonly now: () => number;

  constructor(private readonly options: MicroCacheOptions) {
    this.entries = new LRUCache({ max: options.maxEntries ?? 1000 });
    this.maxBodyBytes = options.maxBodyBytes ?? 512 * 1024;
    this.now = options.now ?? Date.now;
  }

  get isEnabled(): boolean {
    return this.options.maxTtlMs > 0;
  }

  /** The fresh answer stored for this request target and the request's Vary headers. */
  lookup(url: string, headers: IncomingHttpHeaders): CachedAnswer | undefined {
    const entry = this.entries.get(url);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(url);
      return undefined;
    }
    return entry.varyKey === varyKey(entry.vary, headers) ? entry : undefined;
  }

  /** Pass to store(): taken when the upstream request is sent. */
  get generation(): number {
    return this.clears;
  }

  /**
   * Stores an upstream answer when the rules above allow; returns whether it did. `headers` are
   * the answer's headers without hop-by-hop ones; `generation` is `this.generation` as it was when
   * the request went upstream (a change cleared in the meantime may be missing from the answer).
   */
  store(url: string, requestHeaders: IncomingHttpHeaders, answer: { status: number; headers: Record<string, string | string[]>; body: Buffer }, generation: number): boolean {
    if (!this.isEnabled || generation !== this.clears || answer.status !== 200 || answer.body.length > this.maxBodyBytes) return false;
    const { headers } = answer;
    if (headers['set-cookie'] !== undefined || headers['content-encoding'] !== undefined) return false;
    const ttl = Math.min(sharedFreshnessMs(headerText(headers['cache-control'])), this.options.maxTtlMs);
    if (ttl <= 0) return false;
    const vary = (headerText(headers.vary) ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== '');
    if (vary.includes('*')) return false;
    const now = this.now();
    this.entries.set(url, { status: answer.status, headers, body: answer.body, storedAt: now, expiresAt: now + ttl, vary, varyKey: varyKey(vary, requestHeaders), encoded: new Map() });
    return true;
  }

  /**
   * The upstream fetch in flight for this target, if any (as nginx's `proxy_cache_lock`): a burst
   * of requests for a page that just expired waits for one upstream answer instead of sending
   * one request each. Resolves when that request is answered (stored or not); never rejects.
   */
  pendingFill(url: string): Promise<void> | undefined {
    return this.filling.get(url);
  }

  /**
   * Marks an upstream fetch for `url` as in flight; call the returned function when it is
   * answered, whatever the outcome. A no-op when another fetch for `url` is already in flight.
   */
  startFill(url: string): () => void {
    if (this.filling.has(url)) return () => undefined;
    let finish = (): void => undefined;
    const promise = new Promise<void>((resolve) => {
      finish = resolve;
    });
    this.filling.set(url, promise);
    return () => {
      if (this.filling.get(url) === promise) this.filling.delete(url);
      finish();
    };
  }

  /**
   * The body in this coding when it is worth compressing (text or JSON, at least the compression
   * threshold), compressed once per entry instead of once per hit; undefined: send it as it is.
   */
  encodedBody(answer: CachedAnswer, coding: ContentCoding | undefined): Buffer | undefined {
    if (coding === undefined || answer.body.length < COMPRESSION_THRESHOLD_BYTES) return undefined;
    const type = headerText(answer.headers['content-type']) ?? '';
    if (!/^(?:application\/(?:[\w.+-]*\+)?json|text\/)/i.test(type)) return undefined;
    let encoded = answer.encoded.get(coding);
    if (!encoded) {
      encoded = compressBody(answer.body, coding);
      answer.encoded.set(coding, encoded);
    }
    return encoded;
  }

  /** Seconds since the answer was stored (the Age header). */
  ageSeconds(answer: CachedAnswer): number {
    return Math.max(0, Math.floor((this.now() - answer.storedAt) / 1000));
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.clears += 1;
    this.entries.clear();
  }
}
