import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';

import type { Logger } from '@threadline/config';
import { canonicalPath, forwardedHeaders, inspectRequest, type WafSettings, type WafStats } from '@threadline/edge';
import type { ServiceMetrics } from '@threadline/ops';

import { negotiateCoding } from '../compression.js';
import { BUFFERED_ANSWER_BYTES, HOP_BY_HOP, isHopByHop, isNotDelivered, UNREACHABLE_BODY, WEB_CACHE_HEADER } from './forward.js';
import { headerText, isSharedCacheable, type MicroCache } from './micro-cache.js';
import { callUpstream, type UpstreamAnswer } from './upstream-call.js';
import type { Upstream, UpstreamPool } from './upstream-pool.js';

/** Headers Fastify's trustProxy reads from a trusted peer: a request carrying one takes the full path. */
const TRUST_PROXY_HEADERS = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'] as const;

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
 * - any WAF match on the request head, even below the blocking score (the full path logs it);
 * - a request with a body, another method, HTTP/2, a proxy's X-Forwarded-* header (trustProxy's
 *   reading of them stays Fastify's), no Host header, or `Accept-Encoding` naming a coding the web
 *   tier compresses with (compression and its CompressionMemo stay on the full path);
 * - a request the micro-cache may answer (anonymous, shareable).
 * What is taken gets the security headers, the same X-Forwarded-* headers, the same retry rules
 * (a GET is idempotent: another replica after a refused connection, a failure or a 502/503), the
 * same 502 body when no replica answers, and is counted in /metrics under the same route label.
 * The web tier's own access log skips forwarded /api and /collect answers, so only those prefixes
 * should be given here (/media answers are logged by the full path).
 */
export function createFastForward(options: FastForwardOptions): FastForward {
  const { upstream, securityHeaders, removedHeaders, waf, metrics, cache } = options;

  const routeOf = (path: string): string | undefined => {
    for (const prefix of options.prefixes) if (path.startsWith(`${prefix}/`)) return `${prefix}/*`;
    return undefined;
  };

  const record = (route: string, response: ServerResponse, startedAt: bigint): void => {
    const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    const statusCode = String(response.statusCode);
    metrics.httpRequests.inc({ method: 'GET', route, status_code: statusCode });
    if (response.statusCode >= 500) metrics.httpErrors.inc({ method: 'GET', route, status_code: statusCode });
    metrics.httpDuration.observe({ method: 'GET', route }, seconds);
  };

  const writeAnswer = (response: ServerResponse, answer: UpstreamAnswer): void => {
    const headers: OutgoingHttpHeaders = { ...securityHeaders, ...answer.headers };
    for (const name of removedHeaders) delete headers[name];
    if (cache?.isEnabled) headers[WEB_CACHE_HEADER] = 'bypass';
    const { statusCode } = answer;
    if (!Buffer.isBuffer(answer.body)) {
      response.writeHead(statusCode, headers);
      pipeline(answer.body, response, () => undefined);
      return;
    }
    if (statusCode === 204 || statusCode === 304) {
      delete headers['content-length'];
      response.writeHead(statusCode, headers);
      response.end();
      return;
    }
    headers['content-length'] = String(answer.body.length);
    headers['content-type'] ??= 'application/octet-stream';
    response.writeHead(statusCode, headers);
    response.end(answer.body);
  };

  const unavailable = (response: ServerResponse): void => {
    response.writeHead(502, { ...securityHeaders, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(UNREACHABLE_BODY)) });
    response.end(UNREACHABLE_BODY);
  };

  const forward = async (request: IncomingMessage, response: ServerResponse, url: string, headers: Record<string, string | string[]>): Promise<void> => {
    const tried = new Set<Upstream>();
    for (let target = upstream.pick(tried); target; target = upstream.pick(tried)) {
      tried.add(target);
      const hasAlternative = tried.size < upstream.upstreams.length;
      try {
        const answer = await callUpstream(target.dispatcher, {
          method: 'GET',
          path: url,
          headers,
          body: null,
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
          bufferLimit: BUFFERED_ANSWER_BYTES,
          isDropped: isHopByHop,
        });
        if ((answer.statusCode === 502 || answer.statusCode === 503) && hasAlternative) {
          if (!Buffer.isBuffer(answer.body)) answer.body.destroy();
          upstream.reportFailure(target, `answered ${answer.statusCode}`);
          continue;
        }
        if (response.destroyed) {
          if (!Buffer.isBuffer(answer.body)) answer.body.destroy();
          return;
        }
        writeAnswer(response, answer);
        return;
      } catch (error) {
        upstream.reportFailure(target, error instanceof Error ? error.message : String(error));
        // a GET may be sent again whether or not it reached the replica (isIdempotent)
        if (hasAlternative || isNotDelivered(error)) continue;
        options.logger.warn({ err: error, upstream: target.url }, 'API tier unreachable');
        break;
      }
    }
    if (!response.headersSent) unavailable(response);
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
    const route = routeOf(path.path);
    if (route === undefined) return false;
    if (cache?.isEnabled && isSharedCacheable('GET', headers)) return false;
    if (negotiateCoding(headerText(headers['accept-encoding'])) !== undefined) return false;
    if (waf.settings.mode !== 'off') {
      const decision = inspectRequest({ method: 'GET', url, headers, body: undefined }, waf.settings, { part: 'head', exclusions: [] });
      if (decision.action === 'block' || decision.matches.length > 0) return false;
      waf.stats.inspected += 1;
    }
    const startedAt = process.hrtime.bigint();
    const peer = request.socket.remoteAddress ?? '';
    const upstreamHeaders: Record<string, string | string[]> = {};
    for (const name in headers) {
      const value = headers[name];
      if (value !== undefined && !HOP_BY_HOP.has(name)) upstreamHeaders[name] = value;
    }
    // no X-Forwarded-* arrived (checked above): Fastify's trustProxy would read ips [peer], the socket's scheme and the Host header
    Object.assign(upstreamHeaders, forwardedHeaders({ ip: peer, ips: [peer], protocol: options.isTls ? 'https' : 'http', hostname: headers.host, socket: request.socket }, headers, options.isTls));
    response.once('close', () => record(route, response, startedAt));
    forward(request, response, url, upstreamHeaders).catch((error: unknown) => {
      // writeHead refuses a header an upstream sent that node cannot write: the full path answers 500 then
      options.logger.error({ err: error }, 'web tier request failed');
      if (!response.headersSent) {
        const body = JSON.stringify({ error: { code: 'INTERNAL', message: 'internal error' } });
        response.writeHead(500, { ...securityHeaders, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
        response.end(body);
      } else {
        response.destroy();
      }
    });
    return true;
  };
}
