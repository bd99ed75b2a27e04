import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

import { isTrustedPeer } from '../http/forwarded.js';

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
  return { global: true, ...helmetPolicyFields(options) };
}

/** The same policy as plain helmet options (what the headers are computed from). */
export function helmetPolicy(options: SecurityHeaderOptions): HelmetOptions {
  return helmetPolicyFields(options);
}

// one literal, typed by inference: @fastify/helmet's and helmet's ESM typings name the same
// option types twice, so the literal is checked against each of them where it is used
function helmetPolicyFields(options: SecurityHeaderOptions) {
  return {
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicyDirectives(options.extraConnectSrc) },
    // the shop embeds nothing cross-origin; COEP would only break third-party images a seller links
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: { policy: 'same-origin' as const },
    crossOriginResourcePolicy: { policy: 'same-origin' as const },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' as const },
    strictTransportSecurity: options.isHttps ? { maxAge: options.hstsMaxAge, includeSubDomains: true, preload: false } : false,
    xDnsPrefetchControl: { allow: false },
    xFrameOptions: { action: 'deny' as const },
    xPermittedCrossDomainPolicies: { permittedPolicies: 'none' as const },
  };
}

/**
 * Every header helmet sets with our options, as lower-case name → value, computed once: helmet
 * is run on a real (unsent) `ServerResponse` and what it wrote is read back, so the values stay
 * helmet's own (same spelling, same directive order, future helmet changes included) while no
 * request pays for building them. `@fastify/helmet` instead rebuilds the whole helmet middleware
 * (option parsing, CSP serialisation) on every request through two `onRequest` hooks. The
 * Permissions-Policy helmet lacks is added here too.
 *
 * @example
 * securityHeaderValues({ isHttps: false, hstsMaxAge: 0 })['x-frame-options']; // 'DENY'
 */
export function securityHeaderValues(options: SecurityHeaderOptions): Readonly<Record<string, string>> {
  const response = new ServerResponse(new IncomingMessage(new Socket()));
  helmet(helmetPolicy(options))(response.req, response, (error?: unknown) => {
    if (error) throw error;
  });
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.getHeaders())) {
    if (typeof value === 'string') values[name] = value;
    else if (typeof value === 'number') values[name] = String(value);
    else if (Array.isArray(value)) values[name] = value.join(', ');
  }
  values['permissions-policy'] = PERMISSIONS_POLICY;
  return Object.freeze(values);
}

/**
 * Response headers the security-headers plugin removes before an answer is sent: the X-Powered-By
 * banner an upstream may add. Code that writes an answer itself, past the `onSend` hooks (the web
 * tier's direct writes of forwarded answers), drops these too.
 */
export const REMOVED_RESPONSE_HEADERS: readonly string[] = Object.freeze(['x-powered-by']);

/**
 * The request header (with the value `web`) by which the web tier tells the API that it sets the
 * security headers on the answer it sends on — its own value for each one the API's answer lacks,
 * on both its paths — so the API leaves its default values out of that answer: twelve headers
 * (about 600 bytes) that each tier would otherwise write, parse and copy once more per forwarded
 * request. A header a route sets itself is sent as always (and wins in the web tier, as before).
 * Believed only from a trusted proxy (THREADLINE_TRUSTED_PROXIES, see SecurityHeadersPluginOptions);
 * the web tier drops a client's own copy before it forwards a request.
 */
export const SECURITY_HEADERS_SET_BY = 'x-threadline-security-headers';
export const SECURITY_HEADERS_SET_BY_WEB = 'web';

export interface SecurityHeadersPluginOptions extends SecurityHeaderOptions {
  /**
   * Given (the API tier): a request from one of these proxies that carries
   * `SECURITY_HEADERS_SET_BY: web` gets no default security headers from this instance (the web
   * tier in front sets them). Absent (the web tier): every answer gets them.
   */
  trustedProxies?: readonly string[];
}

/**
 * Adds the security headers to every response of the instance, including 404s, errors, requests
 * refused by the edge checks and proxied API answers: one `onRequest` hook copies the precomputed
 * values as a request arrives (register this before every hook that may refuse it; a route or an
 * upstream that sets one of them itself overrides it), and an `onSend` hook drops the
 * REMOVED_RESPONSE_HEADERS (the X-Powered-By banner an upstream may add). With `trustedProxies`,
 * a request the web tier forwarded with SECURITY_HEADERS_SET_BY gets none of the defaults.
 */
export const securityHeadersPlugin = fp<SecurityHeadersPluginOptions>(
  async (app: FastifyInstance, options) => {
    const values = securityHeaderValues(options);
    const { trustedProxies } = options;
    app.addHook('onRequest', (request, reply, done) => {
      const peer = request.raw.socket.remoteAddress;
      const isSetInFront = trustedProxies !== undefined && request.headers[SECURITY_HEADERS_SET_BY] === SECURITY_HEADERS_SET_BY_WEB && peer !== undefined && isTrustedPeer(peer, trustedProxies);
      if (!isSetInFront) void reply.headers(values);
      done();
    });
    app.addHook('onSend', (_request, reply, payload, done) => {
      for (const name of REMOVED_RESPONSE_HEADERS) reply.removeHeader(name);
      done(null, payload);
    });
  },
  { name: 'threadline-security-headers' },
);
