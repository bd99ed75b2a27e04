import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Why a request path is refused. Every one of these is a second spelling of a path the router
 * would also accept, or a spelling that proxies and routers disagree on — the two ways a check
 * made on one spelling is skipped by sending the other (`/%61pi/orders` is routed as `/api/orders`).
 */
export type AmbiguousPathReason =
  | 'encoded-unreserved'
  | 'encoded-separator'
  | 'double-encoding'
  | 'bad-percent-encoding'
  | 'control-character'
  | 'backslash'
  | 'dot-segment'
  | 'empty-segment';

export type CanonicalPath = { ok: true; path: string } | { ok: false; reason: AmbiguousPathReason };

/** RFC 3986 unreserved characters: encoding them changes nothing, so an encoded one is a disguise. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * Checks that the path of a raw request target has exactly one spelling and returns it decoded.
 * Percent-encoding stays allowed where it is needed (spaces, non-ASCII, reserved characters other
 * than `/` and `\`); encoded unreserved characters, encoded separators, `%25` (double encoding),
 * dot segments, empty segments, backslashes and control characters are refused.
 *
 * @example
 * canonicalPath('/api/orders?x=1')   // { ok: true, path: '/api/orders' }
 * canonicalPath('/%61pi/orders')     // { ok: false, reason: 'encoded-unreserved' }
 */
export function canonicalPath(rawUrl: string): CanonicalPath {
  const end = rawUrl.search(/[?#]/);
  const raw = end === -1 ? rawUrl : rawUrl.slice(0, end);
  // most paths: plain segments of unreserved and sub-delimiter characters, nothing to decode;
  // `checkedPath` would return them as they are (the edge test compares the two on every short path)
  if (PLAIN_PATH.test(raw)) return { ok: true, path: raw };
  return checkedPath(raw);
}

/**
 * A path `checkedPath` accepts unchanged: `/`, or non-empty segments (neither `.` nor `..`) of
 * RFC 3986 path characters without `%`, an optional trailing slash.
 */
const PLAIN_PATH = /^(?:\/|(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9\-._~!$&'()*+,;=:@]+)+\/?)$/;

/** The rules of `canonicalPath` for a path without its query, every character looked at. */
export function checkedPath(raw: string): CanonicalPath {
  if (/[\u0000-\u001f\u007f]/.test(raw)) return { ok: false, reason: 'control-character' };
  if (raw.includes('\\')) return { ok: false, reason: 'backslash' };
  for (let at = raw.indexOf('%'); at !== -1; at = raw.indexOf('%', at + 1)) {
    const hex = raw.slice(at + 1, at + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return { ok: false, reason: 'bad-percent-encoding' };
    const code = Number.parseInt(hex, 16);
    const char = String.fromCharCode(code);
    if (code < 0x20 || code === 0x7f) return { ok: false, reason: 'control-character' };
    if (char === '%') return { ok: false, reason: 'double-encoding' };
    if (char === '/' || char === '\\') return { ok: false, reason: 'encoded-separator' };
    if (UNRESERVED.test(char)) return { ok: false, reason: 'encoded-unreserved' };
  }
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return { ok: false, reason: 'bad-percent-encoding' };
  }
  if (!path.startsWith('/')) return path === '*' ? { ok: true, path } : { ok: false, reason: 'bad-percent-encoding' };
  const segments = path.split('/').slice(1);
  if (segments.some((segment) => segment === '.' || segment === '..')) return { ok: false, reason: 'dot-segment' };
  // a trailing slash is one empty segment at the end; an empty one anywhere else is `//`
  if (segments.slice(0, -1).some((segment) => segment === '')) return { ok: false, reason: 'empty-segment' };
  return { ok: true, path };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The decoded request path (no query), checked to have one spelling; set by the canonical-path plugin. */
    canonicalPath: string;
  }
}

/**
 * The path every decision is made on: the decoded path the router matched, as the canonical-path
 * plugin checked it (computed here when that plugin is not registered).
 */
export function decisionPath(request: FastifyRequest): string {
  if (request.canonicalPath) return request.canonicalPath;
  const result = canonicalPath(request.url);
  return result.ok ? result.path : request.url;
}

/**
 * Refuses, with 400 AMBIGUOUS_PATH, any request whose path has more than one spelling, before any
 * other check runs; every later comparison then sees the one spelling the router used. Register it
 * first on every tier.
 */
export const canonicalPathPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('canonicalPath', '');
    // a callback hook, not an async one: no promise and microtask per request on every tier's hottest path
    app.addHook('onRequest', (request, reply, done) => {
      const result = canonicalPath(request.url);
      if (!result.ok) {
        request.log.info({ url: request.url.slice(0, 200), reason: result.reason, ip: request.ip }, 'ambiguous request path refused');
        // answered here: `done` is not called, so no later hook or handler runs
        void reply
          .status(400)
          .header('cache-control', 'no-store')
          .send({ error: { code: 'AMBIGUOUS_PATH', message: `the request path is spelled ambiguously (${result.reason}); send it without this encoding`, field: 'path' } });
        return;
      }
      request.canonicalPath = result.path;
      done();
    });
  },
  { name: 'threadline-canonical-path' },
);
