/**
 * Pure helpers of the tracker (no DOM access), so they can be tested in Node: ids, cookies,
 * UTM parameters and device class.
 */

export type DeviceClass = 'desktop' | 'mobile' | 'tablet' | 'other';

export interface Utm {
  source?: string;
  medium?: string;
  campaign?: string;
  term?: string;
  content?: string;
}

const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;

/** A v4 UUID from a random-bytes source (crypto.getRandomValues). */
export function uuidV4(fill: (bytes: Uint8Array) => Uint8Array): string {
  const b = fill(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An opaque id of 22 base64url characters (visitor and session ids). */
export function opaqueId(fill: (bytes: Uint8Array) => Uint8Array): string {
  const b = fill(new Uint8Array(16));
  let text = '';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (const byte of b) text += alphabet[byte & 63];
  return text.slice(0, 22).padEnd(22, 'A');
}

/** Reads one cookie from `document.cookie` text. */
export function readCookie(cookies: string, name: string): string | undefined {
  for (const part of cookies.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** A first-party cookie string: Lax, whole site, Secure on HTTPS. */
export function cookieString(name: string, value: string, maxAgeSeconds: number, isSecure: boolean): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=${maxAgeSeconds}; SameSite=Lax${isSecure ? '; Secure' : ''}`;
}

/** UTM parameters of a landing URL's query string; undefined when it carries none. */
export function parseUtm(search: string): Utm | undefined {
  const params = new URLSearchParams(search);
  const utm: Utm = {};
  let found = false;
  for (const key of UTM_KEYS) {
    const value = params.get(`utm_${key}`);
    if (value) {
      utm[key] = value.slice(0, 200);
      found = true;
    }
  }
  return found ? utm : undefined;
}

/** Device class from the user agent and the screen's short side (CSS pixels). */
export function deviceClass(userAgent: string, shortSide: number, hasTouch: boolean): DeviceClass {
  if (/ipad|tablet|kindle|silk/i.test(userAgent) || (/android/i.test(userAgent) && !/mobile/i.test(userAgent))) return 'tablet';
  // iPadOS reports a desktop Safari user agent: a touch screen of tablet size gives it away
  if (/macintosh/i.test(userAgent) && hasTouch && shortSide >= 600) return 'tablet';
  if (/mobi|iphone|ipod|android|windows phone/i.test(userAgent)) return 'mobile';
  if (/windows|macintosh|x11|linux|cros/i.test(userAgent)) return 'desktop';
  return 'other';
}
