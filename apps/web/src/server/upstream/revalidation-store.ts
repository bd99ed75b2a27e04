import type { IncomingHttpHeaders } from 'node:http';

import { LRUCache } from 'lru-cache';

/**
 * Bodies of recent forwarded answers that carry a validator (ETag), kept so that a request the
 * micro-cache may not answer — a signed-in shopper's, or any with a cookie — need not bring the
 * same large body from the API again: the web tier asks the API with `If-None-Match: <tag>`, and
 * only when the API answers 304 *to that very request* (its cookie, its session, every rule the
 * API applies) does the web tier send the body it holds under that tag, as a 200. The API still
 * sees and decides every request; what is saved is the body's trip between the tiers (a 65 kB
 * product list page cost the API and the web tier more CPU than everything else about it).
 *
 * This is HTTP's own revalidation of a stored answer (RFC 9111 4.3): an answer is kept only when
 * a shared cache may keep it (no `private`, no `no-store`, no Set-Cookie, no Content-Encoding, a
 * 200 with a known length) and is only ever used after the origin confirmed it for the request at
 * hand, so nothing is served that the API did not just vouch for. The API's list tags are digests
 * of the exact bytes (apps/api present.ts jsonEntity). Requests that carry their own conditional
 * or range headers are passed on untouched. Bounded in bytes: the least recently used goes first.
 */

/** A kept answer: what a 304 for `etag` stands for. */
export interface RevalidatedBody {
  etag: string;
  body: Buffer;
  contentType: string;
}

export interface RevalidationStoreOptions {
  /** Body bytes kept in all (default 16 MiB, as the CompressionMemo). */
  maxBytes?: number;
  /** Largest body kept (default 512 KiB). */
  maxBodyBytes?: number;
}

/** Request headers that make a request the client's own conditional or partial one: passed on as they are. */
const CLIENT_CONDITIONALS = ['if-none-match', 'if-match', 'if-modified-since', 'if-unmodified-since', 'if-range', 'range'] as const;

/** Whether the client's request may be revalidated on its behalf (it asks for the whole, current answer). */
export function mayRevalidateFor(headers: IncomingHttpHeaders): boolean {
  for (const name of CLIENT_CONDITIONALS) if (headers[name] !== undefined) return false;
  return true;
}

/** Whether an answer with this Cache-Control may be kept by a shared cache at all (revalidated before each use). */
export function isStorableCacheControl(cacheControl: string | undefined): boolean {
  if (cacheControl === undefined) return true;
  for (const part of cacheControl.toLowerCase().split(',')) {
    const name = part.split('=', 1)[0]?.trim();
    if (name === 'private' || name === 'no-store') return false;
  }
  return true;
}

export class RevalidationStore {
  private readonly entries: LRUCache<string, RevalidatedBody>;
  readonly maxBodyBytes: number;
  /** 304s answered with a kept body, and 200s that brought a body (kept or not). */
  notModified = 0;
  modified = 0;

  constructor(options: RevalidationStoreOptions = {}) {
    this.maxBodyBytes = options.maxBodyBytes ?? 512 * 1024;
    this.entries = new LRUCache({ maxSize: options.maxBytes ?? 16 * 1024 * 1024, sizeCalculation: (entry) => entry.body.length + 1 });
  }

  /** The body kept for this request target, if any. */
  get(url: string): RevalidatedBody | undefined {
    return this.entries.get(url);
  }

  /** Keeps `body` (copied into one buffer of its own) as the answer under `etag` for this target. */
  set(url: string, etag: string, contentType: string, chunks: readonly Buffer[]): void {
    let size = 0;
    for (const chunk of chunks) size += chunk.length;
    if (size > this.maxBodyBytes) return;
    // a copy: the chunks are views of the socket's read buffers, which the store must not pin
    this.entries.set(url, { etag, contentType, body: Buffer.concat(chunks, size) });
  }

  /**
   * The one decision on the API's answer to a forwarded request, for both paths of the web tier
   * (fast-forward.ts, forward.ts): `kept` is what this store held for `url` when the request went
   * out with its tag in If-None-Match (undefined: it went out as the client sent it).
   * - `use-kept`: a 304 under the tag asked about — answer with the kept body as a 200;
   * - `ask-again`: a 304 under another tag (the kept body is forgotten) — send the request again
   *   without the question;
   * - `keep`: a 200 with a tag that `mayKeep` says a shared cache may keep — keep its body;
   * - `pass`: nothing to do (a body kept for `url` that this answer replaced is forgotten).
   * Counts the 304s answered with a kept body and the answers that brought a body instead.
   * Callers give `mayKeep` as a method (`mayKeep() { … }`), not as an arrow function in a property:
   * tsx compiles with esbuild's keepNames, which names such an arrow with an Object.defineProperty
   * call each time the object is made — 2.3 % of the web tier's CPU per revalidated list request
   * (perf, noisy shared machine), where a method has its name already.
   */
  settle(url: string, kept: RevalidatedBody | undefined, answer: { statusCode: number; etag: string | undefined; mayKeep: () => boolean }): 'use-kept' | 'ask-again' | 'keep' | 'pass' {
    if (answer.statusCode === 304 && kept !== undefined) {
      if (answer.etag !== kept.etag) {
        this.delete(url);
        return 'ask-again';
      }
      this.notModified += 1;
      return 'use-kept';
    }
    if (kept !== undefined) this.modified += 1;
    // whether a 200 may be kept is read only for one with a tag (most answers have none)
    if (answer.statusCode === 200 && answer.etag !== undefined && answer.mayKeep()) return 'keep';
    if (kept !== undefined) this.delete(url);
    return 'pass';
  }

  /** Forgets the body kept for this target (the API did not confirm it as expected). */
  delete(url: string): void {
    this.entries.delete(url);
  }

  get size(): number {
    return this.entries.size;
  }
}
