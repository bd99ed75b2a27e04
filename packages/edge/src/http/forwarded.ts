/** The parts of a Fastify request this needs (HTTP/1 and HTTP/2 requests both have them). */
export interface ForwardingRequest {
  ip: string;
  hostname: string;
  socket: { remoteAddress?: string | undefined };
}

/**
 * X-Forwarded-* headers for a request the web tier forwards to the API tier. The peer address is
 * appended to any X-Forwarded-For chain (never replacing it), so the API tier, which trusts only
 * loopback proxies, resolves the real client: the web tier's peer when that is a browser, or the
 * address nginx recorded when nginx is the peer.
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
  const previous = headers['x-forwarded-for'];
  const chain = Array.isArray(previous) ? previous.join(', ') : previous;
  const upstreamProto = headers['x-forwarded-proto'];
  // a scheme claimed by a proxy in front counts only when that proxy is one we trust (loopback)
  const isTrustedPeer = peer === '127.0.0.1' || peer === '::1' || peer === '::ffff:127.0.0.1';
  const proto = isTlsHere ? 'https' : isTrustedPeer && upstreamProto === 'https' ? 'https' : 'http';
  return {
    'x-forwarded-for': chain ? `${chain}, ${peer}` : peer,
    'x-forwarded-proto': proto,
    'x-forwarded-host': typeof headers.host === 'string' ? headers.host : request.hostname,
  };
}
