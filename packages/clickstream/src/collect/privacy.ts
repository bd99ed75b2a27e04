import { createHmac } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * Pseudonymises a logged-in user id with the shop's keyed hash (HMAC-SHA-256 with
 * `secrets.pseudonymKey`). Same key + id → same pseudonym, so analyses can join a user's events
 * without the lake ever holding the id; without the key the id cannot be recovered or guessed
 * by hashing candidate ids. The nightly extract uses the same function for customer ids.
 *
 * @example
 * pseudonymise(secrets.pseudonymKey, 'user', '42') // → 'u_3q2…' (22 base64url chars)
 */
export function pseudonymise(key: string, namespace: string, id: string): string {
  return createHmac('sha256', key).update(`${namespace}:${id}`).digest('base64url').slice(0, 22);
}

/**
 * Cuts an IP address to its network: IPv4 → /24 (`203.0.113.0/24`), IPv6 → /48. The lake never
 * stores a whole address. IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is treated as IPv4.
 */
export function ipPrefix(address: string | undefined): string | null {
  if (!address) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const ip = mapped?.[1] ?? address;
  const version = isIP(ip);
  if (version === 4) {
    const parts = ip.split('.');
    return `${parts[0]}.${parts[1]}.${parts[2]}.0/24`;
  }
  if (version === 6) {
    const groups = expandIpv6(ip);
    return `${groups.slice(0, 3).join(':')}::/48`;
  }
  return null;
}

function expandIpv6(ip: string): string[] {
  const [head = '', tail] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}
