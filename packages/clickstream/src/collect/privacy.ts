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

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
/** A phone number: an optional +, then 8 or more digits that may be split by spaces, dots, dashes or parentheses. */
const PHONE = /(?:\+|\b)\d(?:[\s().-]{0,2}\d){7,}\b/g;
/** Long digit runs left over (card, account and national id numbers). */
const LONG_DIGITS = /\d{7,}/g;

/** Decodes percent-escapes where they are valid (`jane%40example.com`), keeping the text otherwise. */
function decodeLoosely(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/%40/gi, '@');
  }
}

/**
 * Whether `text` can match any pattern below: every one needs an '@' (also as `%40`, which
 * contains no '@' but is a '%'), or at least 7 ASCII digits. Most paths, searches and UTM values
 * have neither, so they skip the three regular expressions (the collector's hot path).
 */
function mayHoldPersonalData(text: string): boolean {
  if (text.includes('@') || text.includes('%')) return true;
  let digits = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57 && ++digits >= 7) return true;
  }
  return false;
}

/**
 * Removes personal data a visitor may have typed into a free-text field (a search, a UTM value,
 * a path segment like `/account/jane.roe@example.com/orders`): e-mail addresses become `[email]`,
 * phone numbers `[phone]`, runs of 7+ digits `[number]`. Applied to every free-text field wherever
 * an event enters the lake (the collector, server-emitted events, imported access logs). Short
 * numbers (product and order ids, sizes, years) are kept: analyses need them.
 *
 * @example
 * scrubPersonalData('/account/jane.roe%40example.com/orders') // '/account/[email]/orders'
 * scrubPersonalData('call +1 (555) 010-4477') // 'call [phone]'
 */
export function scrubPersonalData(text: string): string;
export function scrubPersonalData(text: string | null): string | null;
export function scrubPersonalData(text: string | null): string | null {
  if (text === null) return null;
  if (!mayHoldPersonalData(text)) return text;
  const decoded = decodeLoosely(text);
  const scrubbed = decoded.replace(EMAIL, '[email]').replace(PHONE, '[phone]').replace(LONG_DIGITS, '[number]');
  // keep the original spelling when nothing personal was found
  return scrubbed === decoded ? text : scrubbed;
}
