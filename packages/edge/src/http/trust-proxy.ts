import proxyAddr from '@fastify/proxy-addr';

/** Verdicts kept before a list's memo starts over: addresses in X-Forwarded-For are the client's to choose. */
const TRUST_VERDICTS_MAX = 10_000;

/** One remembered check per configured list (the configuration hands the same array to every caller). */
const checks = new WeakMap<readonly string[], (address: string) => boolean>();

/**
 * Whether `address` is one of the configured trusted proxies (THREADLINE_TRUSTED_PROXIES: addresses
 * and CIDR ranges; an IPv4-mapped IPv6 address counts as its IPv4 address). The list is compiled
 * once with @fastify/proxy-addr — what Fastify itself does with a `trustProxy` list — and the
 * verdicts are remembered per address: clients and tiers connect again and again from the same few
 * addresses, and each question parsed the address with ipaddr.js (about 1.2 µs). Bounded: a list's
 * memo is cleared when full. Every trust decision of both tiers goes through here: Fastify's
 * `request.ip`/`ips`/`protocol` (`trustProxyFunction`), whether a request came from a tier
 * (`isFromTier`) and whether the web tier set the security headers in front (`isTrustedPeer`).
 */
export function trustedPeerCheck(trustedProxies: readonly string[]): (address: string) => boolean {
  const known = checks.get(trustedProxies);
  if (known) return known;
  const trust = proxyAddr.compile([...trustedProxies]);
  const verdicts = new Map<string, boolean>();
  const check = (address: string): boolean => {
    const remembered = verdicts.get(address);
    if (remembered !== undefined) return remembered;
    // a compiled list answers by address alone (the hop is not read)
    const verdict = trust(address, 0);
    if (verdicts.size >= TRUST_VERDICTS_MAX) verdicts.clear();
    verdicts.set(address, verdict);
    return verdict;
  };
  checks.set(trustedProxies, check);
  return check;
}

/**
 * Fastify's `trustProxy` for the configured proxies: the verdicts Fastify gives when handed the
 * list itself, remembered per address (see `trustedPeerCheck`). `request.ip`, `request.ips` and
 * `request.protocol` ask again on every read (the API reads `request.ip` twice per request: rate
 * limit and access log), which was about 3 % of the API's CPU on a forwarded product page.
 *
 * @example
 * Fastify({ trustProxy: trustProxyFunction(edge.trustedProxies) });
 */
export function trustProxyFunction(trustedProxies: readonly string[]): (address: string, hop: number) => boolean {
  const check = trustedPeerCheck(trustedProxies);
  return (address) => check(address);
}
