import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface SecurityHeaderOptions {
  /** Send Strict-Transport-Security (only meaningful, and only sent, over HTTPS). */
  isHttps: boolean;
  hstsMaxAge: number;
  /** Extra origins pages may connect to (e.g. an image CDN); the shop itself is 'self'. */
  extraConnectSrc?: readonly string[];
}

/**
 * The Content-Security-Policy of every page. The storefront and back office are a Vite build:
 * scripts and styles come from /assets, nothing inline is needed, so no 'unsafe-inline' for
 * scripts; inline style attributes are allowed because charting draws with them. Framing is
 * forbidden (clickjacking), forms post only to the shop, plugins are off.
 */
export function contentSecurityPolicy(extraConnectSrc: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${extraConnectSrc.map((origin) => ` ${origin}`).join('')}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "manifest-src 'self'",
    "worker-src 'self' blob:",
  ].join('; ');
}

/**
 * Headers every response carries (pages, API answers, errors, assets).
 *
 * @example
 * securityHeaders({ isHttps: true, hstsMaxAge: 31536000 })['strict-transport-security'];
 * // 'max-age=31536000; includeSubDomains'
 */
export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  const headers: Record<string, string> = {
    'content-security-policy': contentSecurityPolicy(options.extraConnectSrc),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(self), usb=(), interest-cohort=()',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'x-dns-prefetch-control': 'off',
    'x-permitted-cross-domain-policies': 'none',
  };
  if (options.isHttps) headers['strict-transport-security'] = `max-age=${options.hstsMaxAge}; includeSubDomains`;
  return headers;
}

/**
 * Adds the security headers to every response of the instance, including 404s, errors and
 * proxied API answers. Also removes the X-Powered-By/Server banners an upstream may add.
 */
export const securityHeadersPlugin = fp<SecurityHeaderOptions>(
  async (app: FastifyInstance, options) => {
    const headers = securityHeaders(options);
    app.addHook('onSend', async (_request, reply, payload) => {
      for (const [name, value] of Object.entries(headers)) {
        if (!reply.hasHeader(name)) void reply.header(name, value);
      }
      reply.removeHeader('x-powered-by');
      return payload;
    });
  },
  { name: 'threadline-security-headers' },
);
