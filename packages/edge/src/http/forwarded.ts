import { trustedPeerCheck } from './trust-proxy.js';

/** The parts of a Fastify request this needs (HTTP/1 and HTTP/2 requests both have them). */
export interface ForwardingRequest {
  ip: string;
  /**
   * Addresses from the peer outwards, as far as trusted proxies vouch for them (Fastify's
   * `request.ips` under `trustProxy`): `[peer, …]`, ending at the first untrusted hop.
   */
  ips?: string[] | undefined;
  /** The scheme, from X-Forwarded-Proto only when the peer is a trusted proxy (Fastify's trustProxy). */
  protocol: string;
  hostname: string;
  socket: { remoteAddress?: string | undefined };
}

/**
 * X-Forwarded-* headers for a request the web tier forwards to the API tier. The chain sent on is
 * the one this tier believes: the part of X-Forwarded-For that configured trusted proxies added,
 * then the peer. Whatever an untrusted client wrote itself is dropped, so the API tier (which
 * trusts the web tier) resolves the real client and never a forged `X-Forwarded-For: 127.0.0.1`.
 *
 * @example
 * rewriteRequestHeaders: (request, headers) => ({ ...headers, ...forwardedHeaders(request, headers, true) })
 */
export function forwardedHeaders(
  request: ForwardingRequest,
  headers: Record<string, string | string[] | undefined>,
  isTlsHere: boolean,
): Record<string, string> {
  const peer = request.socket.remoteAddress ?? request.ip;
  // request.ips runs from the peer outwards; X-Forwarded-For lists from the client inwards
  const chain = request.ips && request.ips.length > 0 ? [...request.ips].reverse() : [peer];
  // a scheme claimed by a proxy in front counts only when that proxy is a configured trusted one:
  // Fastify's request.protocol reads X-Forwarded-Proto from trusted peers only
  const proto = isTlsHere || request.protocol === 'https' ? 'https' : 'http';
  return {
    'x-forwarded-for': chain.join(', '),
    'x-forwarded-proto': proto,
    'x-forwarded-host': typeof headers.host === 'string' ? headers.host : request.hostname,
  };
}

/**
 * Headers a proxy adds. A request carrying one of them was relayed for someone else (a browser
 * behind nginx, the web tier or a load balancer), so its trusted TCP peer says nothing about who
 * made it.
 */
export const PROXY_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip', 'via', 'x-forwarded-host'] as const;

/**
 * Whether a request was made by a Threadline tier itself — its peer is a configured trusted proxy
 * (the web tier, on loopback by default) and it carries no proxy header — rather than relayed from
 * a browser. Used for facts only the servers may state (access-log and payment events).
 *
 * @example
 * const isTier = isFromTier({ peer: request.socket.remoteAddress, headers: request.headers, trustedProxies: edge.trustedProxies });
 */
export function isFromTier(options: { peer: string | undefined; headers: Record<string, unknown>; trustedProxies: readonly string[] }): boolean {
  if (options.peer === undefined || PROXY_HEADERS.some((name) => options.headers[name] !== undefined)) return false;
  return isTrustedPeer(options.peer, options.trustedProxies);
}

/** Whether `address` (a TCP peer) is one of the configured trusted proxies (see `trustedPeerCheck`). */
export function isTrustedPeer(address: string, trustedProxies: readonly string[]): boolean {
  return trustedPeerCheck(trustedProxies)(address);
}
