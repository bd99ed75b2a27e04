import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream';

import { util, type Dispatcher } from 'undici';

import type { Logger } from '@threadline/config';
import { canonicalPath, forwardedHeaders, inspectRequest, SECURITY_HEADERS_SET_BY, SECURITY_HEADERS_SET_BY_WEB, type WafSettings, type WafStats } from '@threadline/edge';
import type { ServiceMetrics } from '@threadline/ops';

import { answerCoding, compressWithMemo, createEncoder, negotiateCoding, SYNC_COMPRESSION_BYTES, varyWithAcceptEncoding, type CompressionMemo } from '../compression.js';
import { BUFFERED_ANSWER_BYTES, HOP_BY_HOP, INTERNAL_BODY, isNotDelivered, UNREACHABLE_BODY, WEB_CACHE_HEADER } from './forward.js';
import { headerText, isSharedCacheable, type MicroCache } from './micro-cache.js';
import { isStorableCacheControl, mayRevalidateFor, type RevalidatedBody, type RevalidationStore } from './revalidation-store.js';
import { UpstreamBody } from './upstream-call.js';
import type { Upstream, UpstreamPool } from './upstream-pool.js';

/** Headers Fastify's trustProxy reads from a trusted peer: a request carrying one takes the full path. */
const TRUST_PROXY_HEADERS = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'] as const;

const JSON_TYPE = 'application/json; charset=utf-8';

export interface FastForwardOptions {
  upstream: UpstreamPool;
  /** Forwarded prefixes ('/api'): only paths strictly below one (`/api/…`) are taken. */
  prefixes: readonly string[];
  /** Every header the security-headers plugin sets (securityHeaderValues); an upstream's own value wins, as on the full path. */
  securityHeaders: Readonly<Record<string, string>>;
  /** Answer headers the security-headers plugin removes (REMOVED_RESPONSE_HEADERS). */
  removedHeaders: readonly string[];
  waf: { settings: WafSettings; stats: WafStats };
  metrics: ServiceMetrics;
  cache?: MicroCache;
  /**
   * Bodies of answers with an ETag, by request target: a request that does not make its own
   * conditional asks the API with `If-None-Match` and gets the kept body when the API answers 304
   * to it (see RevalidationStore). None when absent.
   */
  revalidation?: RevalidationStore;
  /**
   * Compression of answers to requests that accept a coding, as the full path's compression plugin
   * does it (the same rules from compression.ts, the same CompressionMemo): whole answers up to
   * SYNC_COMPRESSION_BYTES in one call, larger ones and those of unknown length streamed through
   * zlib with the same settings (createEncoder). The replica is asked once: nothing is handed back
   * to the full path (which would ask it again). One difference, on purpose: a body that already
   * starts like gzip/zlib data is compressed like every other, where the plugin passes it through
   * under a Content-Encoding it does not have. Absent: requests that accept a coding are left to
   * the full path.
   */
  compression?: { memo: CompressionMemo };
  isTls: boolean;
  timeoutMs: number;
  /** True once the instance is closing: Fastify then answers 503 itself, so nothing is taken. */
  isClosing: () => boolean;
  logger: Logger;
}

/** Takes the request (and answers it) or returns false, having touched nothing, for the full Fastify path. */
export type FastForward = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * The web tier's forwarding fast path: plain GETs under the forwarded prefixes that every edge rule
 * lets through unchanged go to an API replica without Fastify's routing and request lifecycle,
 * applying the same rules the hooks would. Anything a rule would act on is left to the full path,
 * which then decides, answers and logs it exactly as before:
 * - a path with more than one spelling (canonicalPath: the full path refuses it with 400);
 * - a WAF match of whatever score on the request head, even below the blocking score (the full path logs it);
 * - a request with a body, another method, HTTP/2, a proxy's X-Forwarded-* header (trustProxy's
 *   reading of them stays Fastify's), or no Host header;
 * - a request the micro-cache may answer (anonymous, shareable);
 * - without `compression`, a request whose `Accept-Encoding` names a coding the web tier compresses with.
 * An answer to a request that accepts a coding is compressed here as the full path would (see
 * FastForwardOptions.compression); the replica is asked once.
 * What is taken gets the security headers, the same X-Forwarded-* headers, the same retry rules
 * (a GET is idempotent: another replica after a refused connection, a failure or a 502/503), the
 * same 502 body when no replica answers, and is counted in /metrics under the same route label.
 * The web tier's own access log skips forwarded /api and /collect answers, so only those prefixes
 * should be given here (/media answers are logged by the full path).
 *
 * Per request it makes one ForwardExchange (undici's dispatch handler, no promise or stream for an
 * answer of modest, known size) and passes headers on as flat name/value arrays in both directions:
 * the header objects, their copies and spreads the full path makes cost about as much CPU as the
 * forwarding itself.
 */
export function createFastForward(options: FastForwardOptions): FastForward {
  const { metrics, cache, waf } = options;
  // which security headers an answer set itself is kept as bits of one number
  if (Object.keys(options.securityHeaders).length > 30) throw new RangeError('createFastForward: at most 30 security headers');
  const securityNames = Object.keys(options.securityHeaders);
  const isCacheEnabled = cache?.isEnabled === true;
  const prefixes = options.prefixes.map((prefix) => ({ below: `${prefix}/`, route: `${prefix}/*` }));
  const context: ExchangeContext = {
    upstream: options.upstream,
    metrics,
    logger: options.logger,
    timeoutMs: options.timeoutMs,
    securityNames,
    securityValues: Object.values(options.securityHeaders),
    answerHeaderKinds: answerHeaderKinds({ securityNames, removedHeaders: options.removedHeaders, isCacheEnabled }),
    isCacheEnabled,
    revalidation: options.revalidation,
    compression: options.compression,
  };

  return (request, response) => {
    if (request.method !== 'GET' || request.httpVersionMajor !== 1 || options.isClosing()) return false;
    const { headers } = request;
    const url = request.url;
    if (url === undefined || headers.host === undefined) return false;
    if (headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0')) return false;
    for (const name of TRUST_PROXY_HEADERS) if (headers[name] !== undefined) return false;
    const path = canonicalPath(url);
    if (!path.ok) return false;
    let route: string | undefined;
    for (const prefix of prefixes) {
      if (path.path.startsWith(prefix.below)) {
        route = prefix.route;
        break;
      }
    }
    if (route === undefined) return false;
    if (context.isCacheEnabled && isSharedCacheable('GET', headers)) return false;
    // whether the answer may be compressed (answerCoding decides on the answer's head and body)
    const mayEncode = headers['accept-encoding'] !== undefined && headers['x-no-compression'] === undefined && negotiateCoding(headerText(headers['accept-encoding'])) !== undefined;
    if (mayEncode && context.compression === undefined) return false;
    if (waf.settings.mode !== 'off') {
      const decision = inspectRequest({ method: 'GET', url, headers, body: undefined }, waf.settings, { part: 'head', exclusions: [] });
      if (decision.action === 'block' || decision.matches.length > 0) return false;
      waf.stats.inspected += 1;
    }
    const startedAt = performance.now();
    const upstreamHeaders: string[] = [];
    for (const name in headers) {
      const value = headers[name];
      if (value === undefined || HOP_BY_HOP.has(name) || name === SECURITY_HEADERS_SET_BY) continue;
      if (typeof value === 'string') upstreamHeaders.push(name, value);
      else for (const item of value) upstreamHeaders.push(name, item);
    }
    // no X-Forwarded-* arrived (checked above): Fastify's trustProxy would read ips [peer], the socket's scheme and the Host header
    const peer = request.socket.remoteAddress ?? '';
    const forwarded = forwardedHeaders({ ip: peer, ips: [peer], protocol: options.isTls ? 'https' : 'http', hostname: headers.host, socket: request.socket }, headers, options.isTls);
    upstreamHeaders.push('x-forwarded-for', forwarded['x-forwarded-for'] ?? peer, 'x-forwarded-proto', forwarded['x-forwarded-proto'] ?? 'http', 'x-forwarded-host', forwarded['x-forwarded-host'] ?? headers.host);
    // the security headers are set here (writtenHeaders): the API need not send its defaults
    upstreamHeaders.push(SECURITY_HEADERS_SET_BY, SECURITY_HEADERS_SET_BY_WEB);
    // the client's own conditional or range request is passed on as it is; every other may be revalidated on its behalf
    const store = context.revalidation !== undefined && mayRevalidateFor(headers) ? context.revalidation : undefined;
    const kept = store?.get(url);
    if (kept) upstreamHeaders.push('if-none-match', kept.etag);
    new ForwardExchange(context, request, response, url, upstreamHeaders, route, startedAt, store, kept, mayEncode).start();
    return true;
  };
}

/** What every exchange of one fast path shares (made once). */
interface ExchangeContext {
  upstream: UpstreamPool;
  metrics: ServiceMetrics;
  logger: Logger;
  timeoutMs: number;
  /** The security headers, as two parallel lists. */
  securityNames: readonly string[];
  securityValues: readonly string[];
  /** Answer header names the head treats specially (see answerHeaderKinds); others pass as they are. */
  answerHeaderKinds: ReadonlyMap<string, number>;
  isCacheEnabled: boolean;
  revalidation: RevalidationStore | undefined;
  compression: FastForwardOptions['compression'];
}

/** Answer header kinds besides a security header's position (0…29): not passed on, or read. */
const DROPPED = -1;
const CONTENT_LENGTH = -2;
const CONTENT_TYPE = -3;
const ETAG = -4;

/** An answer's head as the client gets it (see writtenHeaders), with what the exchange reads from it. */
interface WrittenHead {
  headers: string[];
  /** The Content-Length the replica stated: -1 when none or not a whole number. */
  contentLength: number;
  /** Whether it stated a type, and the (last) one it stated ('' when none). */
  hasType: boolean;
  contentType: string;
  /** Its (last) ETag; undefined without one. */
  etag: string | undefined;
}

/**
 * What each special answer header name is to the written head: hop-by-hop and removed headers are
 * dropped, and the replica's X-Web-Cache when the web tier's cache speaks for itself; a security
 * header is marked set (by its position) so the default is not added.
 */
function answerHeaderKinds(options: { securityNames: readonly string[]; removedHeaders: readonly string[]; isCacheEnabled: boolean }): Map<string, number> {
  const kinds = new Map<string, number>([
    ['content-length', CONTENT_LENGTH],
    ['content-type', CONTENT_TYPE],
    ['etag', ETAG],
  ]);
  options.securityNames.forEach((name, index) => kinds.set(name, index));
  for (const name of [...HOP_BY_HOP, ...options.removedHeaders]) kinds.set(name, DROPPED);
  if (options.isCacheEnabled) kinds.set(WEB_CACHE_HEADER, DROPPED);
  return kinds;
}

/** Whether a 200 with this (flat) head may be kept: no Set-Cookie, no Content-Encoding, a Cache-Control a shared cache may keep. */
function isStorableHead(headers: readonly string[]): boolean {
  for (let at = 0; at < headers.length; at += 2) {
    const name = headers[at];
    if (name === 'set-cookie' || name === 'content-encoding' || (name === 'cache-control' && !isStorableCacheControl(headers[at + 1]))) return false;
  }
  return true;
}

/**
 * One forwarded GET: sends it to a replica and writes the answer, trying another replica after a
 * failure, a refused connection or a 502/503, as the full path does for an idempotent request.
 * An answer of known length up to BUFFERED_ANSWER_BYTES is read whole first (a replica failing
 * mid-body is then retried cleanly) and written with its head in one go; every other answer streams
 * through (UpstreamBody: backpressure pauses the replica's socket, a client going away aborts it).
 */
class ForwardExchange implements Dispatcher.DispatchHandler {
  private target: Upstream | undefined;
  /** Set from the first retry on. */
  private tried: Set<Upstream> | undefined;
  private abortUpstream: ((error?: Error) => void) | undefined;
  private statusCode = 0;
  private answerHeaders: string[] = [];
  private chunks: Buffer[] = [];
  private isBuffered = false;
  /** A 502/503 whose body is read and dropped before the next replica is tried. */
  private isDiscarded = false;
  private stream: UpstreamBody | undefined;
  /** Given up on: the client went away before the answer; whatever undici reports next is ignored. */
  private isAbandoned = false;
  /** The answer's body is to be kept under this tag (a storable 200 with an ETag). */
  private storedAs: { etag: string; contentType: string } | undefined;
  /** A 304 under another tag than the one asked about: the request is sent again without it. */
  private isReasked = false;
  /** The answer's ETag (a 304's is the kept body's): what the CompressionMemo finds its compressed form by. */
  private etag: string | undefined;

  constructor(
    private readonly context: ExchangeContext,
    private readonly request: IncomingMessage,
    private readonly response: ServerResponse,
    private readonly url: string,
    private readonly headers: string[],
    private readonly route: string,
    private readonly startedAt: number,
    /** Where this request's answer may be kept (undefined: not revalidated, as for a client's own conditional). */
    private readonly store: RevalidationStore | undefined,
    /** The kept answer the replica is asked about (If-None-Match); undefined when none. */
    private kept: RevalidatedBody | undefined,
    /** The request accepts a coding the web tier compresses with (and `context.compression` is set). */
    private readonly mayEncode: boolean,
  ) {}

  start(): void {
    this.send(this.context.upstream.pick());
  }

  private send(target: Upstream | undefined): void {
    if (target === undefined) {
      this.answerUnavailable();
      return;
    }
    this.target = target;
    this.tried?.add(target);
    this.statusCode = 0;
    this.answerHeaders = [];
    this.chunks = [];
    this.isBuffered = false;
    this.isDiscarded = false;
    this.storedAs = undefined;
    this.isReasked = false;
    this.etag = undefined;
    const { timeoutMs } = this.context;
    target.dispatcher.dispatch({ method: 'GET', path: this.url, headers: this.headers, body: null, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }, this);
  }

  /** Whether another replica is left to try after the current one. */
  private hasAlternative(): boolean {
    return (this.tried?.size ?? 1) < this.context.upstream.upstreams.length;
  }

  private retry(): void {
    if (this.tried === undefined) {
      this.tried = new Set();
      if (this.target) this.tried.add(this.target);
    }
    this.send(this.context.upstream.pick(this.tried));
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abortUpstream = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // 1xx informational heads are not the answer; the final head follows
    if (statusCode < 200) return true;
    const { context, target } = this;
    this.statusCode = statusCode;
    const written = this.writtenHeaders(rawHeaders);
    const isSmall = written.contentLength >= 0 && written.contentLength <= BUFFERED_ANSWER_BYTES;
    if ((statusCode === 502 || statusCode === 503) && this.hasAlternative() && target) {
      context.upstream.reportFailure(target, `answered ${statusCode}`);
      this.isDiscarded = true;
      if (isSmall) return true;
      // too large to read and drop: the connection is given up and the next replica tried (onError)
      this.abortUpstream?.(new Error(`answered ${statusCode}`));
      return false;
    }
    const headers = written.headers;
    this.etag = written.etag;
    if (this.store !== undefined && (statusCode === 304 || statusCode === 200)) {
      const revalidated = this.revalidate(statusCode, written);
      if (revalidated !== undefined) return revalidated;
    }
    if (isSmall) {
      // a whole body gets a type; an answer without one by definition (204, 304) no Content-Length
      if (statusCode === 204 || statusCode === 304) {
        for (let at = headers.length - 2; at >= 0; at -= 2) if (headers[at] === 'content-length') headers.splice(at, 2);
      } else if (!written.hasType) {
        headers.push('content-type', 'application/octet-stream');
      }
    }
    this.answerHeaders = headers;
    if (isSmall) {
      this.isBuffered = true;
      return true;
    }
    const { response } = this;
    if (response.destroyed) {
      // not a replica failure: the abort's onError neither ejects it nor retries
      this.isAbandoned = true;
      this.abortUpstream?.(new Error('client went away'));
      this.record();
      return false;
    }
    const streamedCoding = this.mayEncode ? this.codingFor(written.contentLength >= 0 ? written.contentLength : Number.MAX_SAFE_INTEGER) : undefined;
    // the plugin streams such an answer through zlib; a 204/304 has no body, yet it marks the head as encoded
    if (streamedCoding !== undefined) this.answerHeaders = this.encodedHeaders(streamedCoding);
    const encoder = streamedCoding !== undefined && statusCode !== 204 && statusCode !== 304 ? createEncoder(streamedCoding) : undefined;
    const stream = new UpstreamBody(resume, (error) => this.abortUpstream?.(error));
    this.stream = stream;
    try {
      response.writeHead(statusCode, this.answerHeaders);
    } catch (error) {
      stream.destroy();
      this.answerInternal(error);
      return false;
    }
    response.once('close', () => this.record());
    if (encoder) pipeline(stream, encoder, response, () => undefined);
    else pipeline(stream, response, () => undefined);
    return true;
  }

  /**
   * What the kept bodies make of this answer's head: a 304 under the tag asked about becomes the
   * kept body as a 200 (the 304's headers — this request's own, Set-Cookie included — with the
   * kept type and length; X-Web-Cache stays `bypass`: the micro-cache did not answer, and the
   * answer is the one the full path would give); a 304 under another tag sends the request again without the question;
   * a storable 200 with an ETag is marked to be kept. Undefined: go on as for every answer.
   */
  private revalidate(statusCode: number, written: WrittenHead): boolean | undefined {
    const { store, kept } = this;
    if (store === undefined) return undefined;
    const { headers, etag } = written;
    const verdict = store.settle(this.url, kept, {
      statusCode,
      etag,
      // a method, not an arrow property: see RevalidationStore.settle
      mayKeep() {
        return written.hasType && written.contentLength >= 0 && written.contentLength <= store.maxBodyBytes && isStorableHead(headers);
      },
    });
    if (verdict === 'ask-again') {
      this.kept = undefined;
      this.isReasked = true;
      return true;
    }
    if (verdict === 'use-kept' && kept !== undefined) {
      this.statusCode = 200;
      for (let at = headers.length - 2; at >= 0; at -= 2) if (headers[at] === 'content-length') headers.splice(at, 2);
      if (!written.hasType) headers.push('content-type', kept.contentType);
      headers.push('content-length', String(kept.body.length));
      this.answerHeaders = headers;
      this.isBuffered = true;
      this.chunks = [kept.body];
      return true;
    }
    if (verdict === 'keep' && etag !== undefined) this.storedAs = { etag, contentType: written.contentType };
    return undefined;
  }

  /**
   * The answer's head as written to the client, flat: the replica's headers (lower-cased) without
   * hop-by-hop and removed ones, the security headers it did not set itself (its own value wins, as
   * on the full path), and X-Web-Cache; with what the exchange reads from it (WrittenHead), taken
   * in the same pass.
   */
  private writtenHeaders(rawHeaders: Buffer[]): WrittenHead {
    const { context } = this;
    const headers: string[] = [];
    let securitySet = 0;
    let hasType = false;
    let contentType = '';
    let etag: string | undefined;
    let contentLength = -1;
    for (let at = 0; at + 1 < rawHeaders.length; at += 2) {
      const rawName = rawHeaders[at];
      const rawValue = rawHeaders[at + 1];
      if (rawName === undefined || rawValue === undefined) continue;
      const name = util.headerNameToString(rawName);
      // one lookup tells what the name is to this head (most names are none of these)
      const kind = context.answerHeaderKinds.get(name);
      if (kind === DROPPED) continue;
      const value = rawValue.toString('latin1');
      if (kind === CONTENT_LENGTH) {
        const length = Number(value);
        contentLength = Number.isInteger(length) && length >= 0 ? length : -1;
      } else if (kind === CONTENT_TYPE) {
        hasType = true;
        contentType = value;
      } else if (kind === ETAG) {
        etag = value;
      } else if (kind !== undefined) {
        securitySet |= 1 << kind;
      }
      headers.push(name, value);
    }
    const { securityNames, securityValues } = context;
    for (let index = 0; index < securityNames.length; index += 1) {
      const name = securityNames[index];
      const value = securityValues[index];
      if ((securitySet & (1 << index)) === 0 && name !== undefined && value !== undefined && context.answerHeaderKinds.get(name) !== DROPPED) headers.push(name, value);
    }
    if (context.isCacheEnabled) headers.push(WEB_CACHE_HEADER, 'bypass');
    return { headers, contentLength, hasType, contentType, etag };
  }

  onData(chunk: Buffer): boolean {
    if (this.stream) return this.stream.push(chunk);
    if (this.isBuffered) {
      this.chunks.push(chunk);
    }
    return true;
  }

  onComplete(): void {
    if (this.stream) {
      this.stream.isComplete = true;
      this.stream.push(null);
      return;
    }
    if (this.isDiscarded) {
      this.retry();
      return;
    }
    if (this.isReasked) {
      // the same replica, asked plainly (the question is the headers' last pair)
      if (this.headers[this.headers.length - 2] === 'if-none-match') this.headers.length -= 2;
      this.send(this.target);
      return;
    }
    if (this.storedAs) this.store?.set(this.url, this.storedAs.etag, this.storedAs.contentType, this.chunks);
    const { response } = this;
    if (response.destroyed) {
      this.record();
      return;
    }
    const streamed = this.mayEncode && this.statusCode !== 204 && this.statusCode !== 304 ? this.encodeBuffered() : undefined;
    try {
      response.writeHead(this.statusCode, this.answerHeaders);
    } catch (error) {
      // writeHead refuses a header an upstream sent that node cannot write: the full path answers 500 then
      this.answerInternal(error);
      return;
    }
    if (this.statusCode === 204 || this.statusCode === 304) {
      response.end();
    } else if (streamed) {
      // over the one-call size: through zlib as the plugin streams it (the event loop is not held)
      response.once('close', () => this.record());
      pipeline(streamed.encoder, response, () => undefined);
      streamed.encoder.end(streamed.body);
      return;
    } else {
      // the chunks are views of socket read buffers node does not reuse, written as they are: corked,
      // head and chunks leave in one writev, without a copy of a large body into a new buffer (the
      // copy and its garbage cost a list page of 65 kB more than the write itself)
      response.cork();
      for (const chunk of this.chunks) response.write(chunk);
      response.end();
      response.uncork();
    }
    this.record();
  }

  /**
   * The coding the full path's compression gives this answer (its head in `answerHeaders`) with a
   * body of `bodyBytes` (answerCoding), undefined when none.
   */
  private codingFor(bodyBytes: number): ReturnType<typeof answerCoding> {
    const headers = this.answerHeaders;
    const answerHeaders: Record<string, string> = {};
    let contentType: string | undefined;
    for (let at = 0; at + 1 < headers.length; at += 2) {
      const name = headers[at];
      const value = headers[at + 1] ?? '';
      if (name === 'content-encoding' || name === 'content-range') answerHeaders[name] = value;
      else if (name === 'content-type') contentType = value;
    }
    return answerCoding({ requestHeaders: this.request.headers, statusCode: this.statusCode, answerHeaders, bodyBytes, contentType });
  }

  /**
   * Compresses the whole answer in `chunks` as the full path's plugin would (Vary and
   * Content-Encoding as it sets them): up to SYNC_COMPRESSION_BYTES in one call through the shared
   * CompressionMemo, with its Content-Length; a larger body is returned with the encoder to stream
   * it through (no Content-Length, as the plugin streams it). Undefined when the answer is sent as it is.
   */
  private encodeBuffered(): { body: Buffer; encoder: ReturnType<typeof createEncoder> } | undefined {
    const { compression } = this.context;
    let bodyBytes = 0;
    for (const chunk of this.chunks) bodyBytes += chunk.length;
    const coding = this.codingFor(bodyBytes);
    if (coding === undefined || compression === undefined) return undefined;
    const body = this.chunks.length === 1 && this.chunks[0] ? this.chunks[0] : Buffer.concat(this.chunks, bodyBytes);
    const headers = this.encodedHeaders(coding);
    this.answerHeaders = headers;
    if (bodyBytes > SYNC_COMPRESSION_BYTES) return { body, encoder: createEncoder(coding) };
    const encoded = compressWithMemo(compression.memo, body, coding, this.etag);
    headers.push('content-length', String(encoded.length));
    this.chunks = [encoded];
    return undefined;
  }

  /**
   * The answer's head as the plugin marks a compressed answer: `accept-encoding` merged into its
   * Vary, its Content-Encoding (an `identity` one replaced), no Content-Length.
   */
  private encodedHeaders(coding: string): string[] {
    const headers: string[] = [];
    const vary: string[] = [];
    const answerHeaders = this.answerHeaders;
    for (let at = 0; at + 1 < answerHeaders.length; at += 2) {
      const name = answerHeaders[at] ?? '';
      const value = answerHeaders[at + 1] ?? '';
      if (name === 'vary') vary.push(value);
      else if (name !== 'content-length' && name !== 'content-encoding') headers.push(name, value);
    }
    headers.push('vary', varyWithAcceptEncoding(vary), 'content-encoding', coding);
    return headers;
  }

  onError(error: Error): void {
    if (this.isAbandoned) return;
    if (this.stream) {
      this.stream.destroy(error);
      return;
    }
    const { context, target } = this;
    if (this.isDiscarded) {
      // a 502/503 given up on (already reported): the next replica
      this.retry();
      return;
    }
    if (target) context.upstream.reportFailure(target, error.message);
    // a GET may be sent again whether or not it reached the replica (isIdempotent)
    if (this.hasAlternative() || isNotDelivered(error)) {
      this.retry();
      return;
    }
    context.logger.warn({ err: error, upstream: target?.url }, 'API tier unreachable');
    this.answerUnavailable();
  }

  private answerUnavailable(): void {
    const { response } = this;
    if (!response.headersSent && !response.destroyed) this.answerWith(502, UNREACHABLE_BODY);
    this.record();
  }

  private answerInternal(error: unknown): void {
    this.context.logger.error({ err: error }, 'web tier request failed');
    if (!this.response.headersSent) this.answerWith(500, INTERNAL_BODY);
    else this.response.destroy();
    this.record();
  }

  private answerWith(statusCode: number, body: string): void {
    const { securityNames, securityValues } = this.context;
    const written: string[] = [];
    for (let index = 0; index < securityNames.length; index += 1) {
      const name = securityNames[index];
      const value = securityValues[index];
      if (name !== undefined && value !== undefined) written.push(name, value);
    }
    written.push('content-type', JSON_TYPE, 'content-length', String(Buffer.byteLength(body)));
    this.response.writeHead(statusCode, written);
    this.response.end(body);
  }

  /** Counts the request in /metrics as the full path's metrics hook does (route template `/api/*`). */
  private record(): void {
    const { metrics } = this.context;
    const seconds = (performance.now() - this.startedAt) / 1000;
    const statusCode = String(this.response.statusCode);
    metrics.httpRequests.inc({ method: 'GET', route: this.route, status_code: statusCode });
    if (this.response.statusCode >= 500) metrics.httpErrors.inc({ method: 'GET', route: this.route, status_code: statusCode });
    metrics.httpDuration.observe({ method: 'GET', route: this.route }, seconds);
  }
}
