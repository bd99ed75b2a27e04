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
