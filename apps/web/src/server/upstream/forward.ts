import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';

import { decisionPath, refuseRateLimited, type SlidingWindowLimiter } from '@threadline/edge';

import { negotiateCoding, type CompressionCase } from '../compression.js';
import { headerText, isSharedCacheable, type CachedAnswer, type MicroCache } from './micro-cache.js';
import { isStorableCacheControl, mayRevalidateFor, type RevalidatedBody, type RevalidationStore } from './revalidation-store.js';
import { callUpstream, type UpstreamAnswer, type UpstreamCall } from './upstream-call.js';
import type { Upstream, UpstreamPool } from './upstream-pool.js';

/** Bodies up to this size are held in memory so a request can be replayed on another replica. */
export const REPLAYABLE_BODY_BYTES = 1024 * 1024;

/** Answers up to this size are read whole before they are sent (and may be kept by the cache). */
export const BUFFERED_ANSWER_BYTES = 512 * 1024;

/** Headers that belong to one connection, never passed on in either direction. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);
export const isHopByHop = (name: string): boolean => HOP_BY_HOP.has(name);

/** How long a replica may take to send an answer's head, and between body chunks, by default. */
export const FORWARD_TIMEOUT_MS = 30_000;

/** The 502 body when no replica answers (full and fast path alike). */
export const UNREACHABLE_BODY = JSON.stringify({ error: { code: 'SERVICE_UNAVAILABLE', message: 'the application tier is not reachable' } });

/** The 500 body of a failure inside the web tier (its error handler and the fast path alike). */
export const INTERNAL_BODY = JSON.stringify({ error: { code: 'INTERNAL', message: 'internal error' } });

/**
 * May this request be sent again to another replica after it may have reached the first one?
 * GET/HEAD/OPTIONS by definition; a POST/PUT/PATCH/DELETE only with an Idempotency-Key (the API
 * answers a replay with the first result, so the order or payment is made once).
 */
export function isIdempotent(method: string, headers: IncomingHttpHeaders): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return true;
  const key = headers['idempotency-key'];
  return typeof key === 'string' && key.length > 0;
}

/**
 * Errors where the request never reached the replica (nothing to undo): safe to resend any request.
 * ENOENT: a replica's Unix socket is not there (it has stopped, or not started yet).
 */
export function isNotDelivered(error: unknown): boolean {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  return code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'EHOSTUNREACH' || code === 'ENOTFOUND' || code === 'ENOENT';
}

async function readBody(stream: Readable, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    // a Readable of the raw request yields Buffers
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export interface ForwardOptions {
  upstream: UpstreamPool;
  prefixes: readonly string[];
  /** Extra headers for the replica (client address, scheme). */
  extraHeaders: (request: FastifyRequest) => Record<string, string>;
  timeoutMs?: number;
  /** Short shared cache for anonymous public GETs (see MicroCache); none when absent. */
  cache?: MicroCache;
  /**
   * Per-address limit on /api answers served from `cache` (the API tier's per-address limit for
   * the requests it never sees); each tier counts the requests it answers.
   */
  cacheHitLimiter?: SlidingWindowLimiter;
  /**
   * Write whole answers (forwarded ones read in full, and cache hits) straight to the connection —
   * one `writeHead` and one `end`, head and body in a single socket write — instead of through
   * Fastify's send path and the instance's `onSend` hooks, whenever those hooks would leave the
   * answer as it is. The caller states what its `onSend` hooks do (see DirectWriteRules); every
   * other hook (onRequest, onResponse: security headers, access log, metrics) runs as before.
   * Off when absent: every answer goes through `reply.send`.
   */
  directWrite?: DirectWriteRules;
  /**
   * Bodies of answers with an ETag, by request target: a GET that does not make its own
   * conditional asks the API with `If-None-Match` and gets the kept body when the API answers 304
   * to it (see RevalidationStore; the fast path shares it). None when absent.
   */
  revalidation?: RevalidationStore;
}

/** What the `onSend` hooks of the instance do to an answer, for `ForwardOptions.directWrite`. */
export interface DirectWriteRules {
  /** Answer headers the hooks remove (the security headers plugin's REMOVED_RESPONSE_HEADERS). */
  removedHeaders: readonly string[];
  /** Whether the hooks may change this answer (compression: see `mayCompress`); it is then sent through them. */
  mayChange: (answer: CompressionCase) => boolean;
}

/** Whether the web tier's cache answered (`hit`), stored the answer (`miss`) or could not (`bypass`). */
export const WEB_CACHE_HEADER = 'x-web-cache';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Sends a whole answer whose status and headers are already on `reply`. With `rules`, and when the
 * `onSend` hooks would leave it unchanged, it is written here as Fastify's send path would write
 * it (Content-Length of the body, application/octet-stream when untyped, the removed headers
 * dropped) with the reply hijacked: the `onResponse` hooks still run when it is finished.
 * Answers without a body by definition (1xx, 204, 304) and HEAD answers take Fastify's path.
 */
function sendWhole(request: FastifyRequest, reply: FastifyReply, body: Buffer, rules: DirectWriteRules | undefined): FastifyReply {
  const statusCode = reply.statusCode;
  if (!rules || statusCode < 200 || statusCode === 204 || statusCode === 304 || request.method === 'HEAD' || request.raw.httpVersionMajor !== 1) return reply.send(body);
  const headers = reply.getHeaders();
  if (rules.mayChange({ requestHeaders: request.headers, statusCode, answerHeaders: headers, bodyBytes: body.length })) return reply.send(body);
  for (const name of rules.removedHeaders) delete headers[name];
  headers['content-length'] = String(body.length);
  headers['content-type'] ??= 'application/octet-stream';
  // node checks every name and value here, before anything is written: a bad one fails as on Fastify's path
  // node writes a number as its decimal text for any header; its types allow numbers on some names only
  reply.raw.writeHead(statusCode, headers as OutgoingHttpHeaders);
  reply.hijack();
  reply.raw.end(body);
  return reply;
}

function sendCached(request: FastifyRequest, reply: FastifyReply, cache: MicroCache, cached: CachedAnswer, rules: DirectWriteRules | undefined): FastifyReply {
  reply.status(cached.status).headers(cached.headers).header('age', String(cache.ageSeconds(cached))).header(WEB_CACHE_HEADER, 'hit');
  const coding = negotiateCoding(headerText(request.headers['accept-encoding']));
  const encoded = cache.encodedBody(cached, coding);
  if (coding === undefined || encoded === undefined) return sendWhole(request, reply, cached.body, rules);
  // already encoded: the compression plugin leaves an answer with Content-Encoding alone
  const vary = headerText(cached.headers.vary);
  reply.header('content-encoding', coding).header('content-length', String(encoded.length)).header('vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding');
  return sendWhole(request, reply, encoded, rules);
}

/**
 * The replica's answer to `call`, revalidating the body kept for `url` (see RevalidationStore): a
 * 304 under the kept tag to the web tier's own If-None-Match becomes that body as a whole 200 with
 * the 304's headers; a 304 under another tag asks again plainly; a storable 200 with an ETag is kept.
 * Without `store` (or for a client's own conditional) it is callUpstream as it is.
 */
async function callRevalidating(dispatcher: Dispatcher, call: UpstreamCall, url: string, store: RevalidationStore | undefined, kept: RevalidatedBody | undefined): Promise<UpstreamAnswer> {
  const answer = await callUpstream(dispatcher, call);
  if (store === undefined) return answer;
  const { headers } = answer;
  const etag = typeof headers.etag === 'string' ? headers.etag : undefined;
  const contentType = headers['content-type'];
  const verdict = store.settle(url, kept, {
    statusCode: answer.statusCode,
    etag,
    // a method, not an arrow property: see RevalidationStore.settle
    mayKeep() {
      return (
        Buffer.isBuffer(answer.body) &&
        typeof contentType === 'string' &&
        headers['set-cookie'] === undefined &&
        headers['content-encoding'] === undefined &&
        isStorableCacheControl(headerText(headers['cache-control']))
      );
    },
  });
  if (verdict === 'ask-again' || verdict === 'use-kept') {
    // a 304 has no body: read its (empty) end so the connection is kept
    if (!Buffer.isBuffer(answer.body)) await finished(answer.body.resume());
  }
  if (verdict === 'ask-again') {
    const plain = { ...call.headers };
    delete plain['if-none-match'];
    return callUpstream(dispatcher, { ...call, headers: plain });
  }
  if (verdict === 'use-kept' && kept !== undefined) {
    const whole: Record<string, string | string[]> = { ...headers, 'content-type': headerText(headers['content-type']) ?? kept.contentType };
    delete whole['content-length'];
    return { statusCode: 200, headers: whole, body: kept.body };
  }
  if (verdict === 'keep' && etag !== undefined && typeof contentType === 'string' && Buffer.isBuffer(answer.body)) store.set(url, etag, contentType, [answer.body]);
  return answer;
}

function unavailable(reply: FastifyReply): FastifyReply {
  return reply.status(502).type('application/json; charset=utf-8').send(UNREACHABLE_BODY);
}

/**
 * Forwards every request under `prefixes` to an API replica, streaming the answer. A request that
 * fails before an answer arrives — refused connection, reset, timeout, or a 502/503 from a replica
 * going away — is sent to another replica when that is safe: always if it never reached the first
 * one, and after that only for idempotent requests (see isIdempotent). Bodies over 1 MiB stream
 * through and are not replayed.
 */
export async function registerForwarding(app: FastifyInstance, options: ForwardOptions): Promise<void> {
  await app.register(async (scoped) => {
    // the body goes to the replica as it came: no parsing here
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    const timeoutMs = options.timeoutMs ?? FORWARD_TIMEOUT_MS;

    const { cache, cacheHitLimiter, directWrite } = options;

    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const isShared = cache !== undefined && cache.isEnabled && isSharedCacheable(request.method, request.headers);
      if (!isShared) return forwardUpstream(request, reply, false);
      let cached = cache.lookup(request.url, request.headers);
      const pending = cached ? undefined : cache.pendingFill(request.url);
      if (pending) {
        await pending;
        cached = cache.lookup(request.url, request.headers);
      }
      if (cached) {
        if (cacheHitLimiter && decisionPath(request).startsWith('/api/')) {
          const limit = cacheHitLimiter.hit(request.ip);
          if (!limit.isAllowed) return refuseRateLimited(request, reply, limit, 'requests from this address', `web-cache-ip:${request.ip}`);
        }
        return sendCached(request, reply, cache, cached, directWrite);
      }
      const finishFill = cache.startFill(request.url);
      try {
        return await forwardUpstream(request, reply, true);
      } finally {
        finishFill();
      }
    };

    const forwardUpstream = async (request: FastifyRequest, reply: FastifyReply, isShared: boolean): Promise<FastifyReply> => {
      const cacheGeneration = cache?.generation ?? 0;
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(request.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      Object.assign(headers, options.extraHeaders(request));
      // a client's own conditional or range request is passed on as it is; any other GET may be revalidated on its behalf
      const store = options.revalidation !== undefined && request.method === 'GET' && mayRevalidateFor(request.headers) ? options.revalidation : undefined;
      const kept = store?.get(request.url);
      if (kept) headers['if-none-match'] = kept.etag;
      const length = Number(request.headers['content-length']);
      // the parser above hands the raw request stream through as the body
      const raw = request.body as Readable | undefined;
      let body: Buffer | Readable | undefined;
      if (raw && Number.isFinite(length) && length <= REPLAYABLE_BODY_BYTES) body = await readBody(raw, REPLAYABLE_BODY_BYTES);
      else body = raw;
      const isReplayable = body === undefined || Buffer.isBuffer(body);
      const mayResend = isReplayable && isIdempotent(request.method, request.headers);
      const tried = new Set<Upstream>();
      for (let target = options.upstream.pick(tried); target; target = options.upstream.pick(tried)) {
        tried.add(target);
        const hasAlternative = tried.size < options.upstream.upstreams.length;
        try {
          const answer = await callRevalidating(target.dispatcher, {
            method: request.method as Dispatcher.HttpMethod, // Fastify only routes methods undici accepts
            path: request.url,
            headers,
            body: body ?? null,
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
            // an answer of known, modest size is read whole and written in one go with its head (one
            // writev instead of one per upstream chunk); larger or open-ended ones stream through
            bufferLimit: BUFFERED_ANSWER_BYTES,
            isDropped: isHopByHop,
          }, request.url, store, kept);
          if ((answer.statusCode === 502 || answer.statusCode === 503) && mayResend && hasAlternative && request.url !== '/readyz') {
            if (!Buffer.isBuffer(answer.body)) answer.body.destroy();
            options.upstream.reportFailure(target, `answered ${answer.statusCode}`);
            continue;
          }
          // a successful change may alter what cached lists and pages show
          if (cache && MUTATING.has(request.method) && answer.statusCode < 400) cache.clear();
          // a whole body was read before anything is set on the reply: a replica failing mid-body is then retried cleanly
          reply.status(answer.statusCode).headers(answer.headers);
          if (Buffer.isBuffer(answer.body)) {
            if (cache?.isEnabled) {
              const isStored = isShared && cache.store(request.url, request.headers, { status: answer.statusCode, headers: answer.headers, body: answer.body }, cacheGeneration);
              reply.header(WEB_CACHE_HEADER, isStored ? 'miss' : 'bypass');
            }
            return sendWhole(request, reply, answer.body, directWrite);
          }
          if (cache?.isEnabled) reply.header(WEB_CACHE_HEADER, 'bypass');
          return reply.send(answer.body);
        } catch (error) {
          options.upstream.reportFailure(target, error instanceof Error ? error.message : String(error));
          if (hasAlternative && ((isReplayable && isNotDelivered(error)) || mayResend)) continue;
          request.log.warn({ err: error, upstream: target.url }, 'API tier unreachable');
          return unavailable(reply);
        }
      }
      return unavailable(reply);
    };

    for (const prefix of options.prefixes) {
      scoped.all(prefix, handler);
      scoped.all(`${prefix}/*`, handler);
    }
  });
}
