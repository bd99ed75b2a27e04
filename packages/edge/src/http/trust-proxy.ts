import proxyAddr from '@fastify/proxy-addr';

/** Verdicts kept before the memo starts over: addresses in X-Forwarded-For are the client's to choose. */
const TRUST_VERDICTS_MAX = 10_000;

/**
 * Fastify's `trustProxy` for the configured proxies (THREADLINE_TRUSTED_PROXIES): the verdicts
 * Fastify gives when handed the list itself — it compiles the list with @fastify/proxy-addr, as
 * here — remembered per address. `request.ip`, `request.ips` and `request.protocol` ask again on
 * every read (the API reads `request.ip` twice per request: rate limit and access log), and for a
 * request that came through the web tier each question parsed the peer's address with ipaddr.js
 * (about 1.2 µs a read, 3 % of the API's CPU on a forwarded product page). A compiled list answers
 * by address alone (the hop is not read), so a verdict per address is the same verdict. Bounded:
 * cleared when full.
 *
 * @example
 * Fastify({ trustProxy: trustProxyFunction(edge.trustedProxies) });
 */
export function trustProxyFunction(trustedProxies: readonly string[]): (address: string, hop: number) => boolean {
  const trust = proxyAddr.compile([...trustedProxies]);
  const verdicts = new Map<string, boolean>();
  return (address, hop) => {
    const known = verdicts.get(address);
    if (known !== undefined) return known;
    const verdict = trust(address, hop);
    if (verdicts.size >= TRUST_VERDICTS_MAX) verdicts.clear();
    verdicts.set(address, verdict);
    return verdict;
  };
}
