import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
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
 * The Content-Security-Policy of every page, as helmet directives. The storefront and back
 * office are a Vite build: scripts and styles come from /assets, nothing inline is needed, so no
 * 'unsafe-inline' for scripts; inline style attributes are allowed because charting draws with
 * them. Framing is forbidden (clickjacking), forms post only to the shop, plugins are off.
 * Stricter than helmet's defaults (which allow https: fonts and inline styles from anywhere and
 * do not restrict manifests or workers), so helmet's defaults are not merged in.
 */
export function contentSecurityPolicyDirectives(extraConnectSrc: readonly string[] = []): Record<string, string[]> {
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'", ...extraConnectSrc],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    'manifest-src': ["'self'"],
    'worker-src': ["'self'", 'blob:'],
  };
}

/**
 * Browser features the shop never uses, switched off for every page and anything it embeds;
 * card entry (Payment Request) only for the shop itself. helmet does not set this header.
 */
export const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), payment=(self), usb=(), interest-cohort=()';

/**
 * How `@fastify/helmet` is configured: every header helmet sets, with our values where they are
 * stricter than its defaults (CSP above, `X-Frame-Options: DENY`, same-origin resource policy,
 * HSTS only over HTTPS and with the configured max-age).
 *
 * @example
 * helmetOptions({ isHttps: true, hstsMaxAge: 31536000 }).strictTransportSecurity;
 * // { maxAge: 31536000, includeSubDomains: true, preload: false }
 */
export function helmetOptions(options: SecurityHeaderOptions): FastifyHelmetOptions {
  return {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicyDirectives(options.extraConnectSrc) },
    // the shop embeds nothing cross-origin; COEP would only break third-party images a seller links
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    strictTransportSecurity: options.isHttps ? { maxAge: options.hstsMaxAge, includeSubDomains: true, preload: false } : false,
    xDnsPrefetchControl: { allow: false },
    xFrameOptions: { action: 'deny' },
    xPermittedCrossDomainPolicies: { permittedPolicies: 'none' },
  };
}

/**
 * Adds the security headers to every response of the instance, including 404s, errors, requests
 * refused by the edge checks and proxied API answers: `@fastify/helmet` sets them when a request
 * arrives (register this before any hook that may refuse it), and a small `onSend` hook adds the
 * Permissions-Policy helmet lacks and drops the X-Powered-By banner an upstream may add.
 */
export const securityHeadersPlugin = fp<SecurityHeaderOptions>(
  async (app: FastifyInstance, options) => {
    await app.register(helmet, helmetOptions(options));
    app.addHook('onSend', async (_request, reply, payload) => {
      if (!reply.hasHeader('permissions-policy')) void reply.header('permissions-policy', PERMISSIONS_POLICY);
      reply.removeHeader('x-powered-by');
      return payload;
    });
  },
  { name: 'threadline-security-headers' },
);
