import { isIP } from 'node:net';

import { ConfigError } from './errors.js';
import { readers, type Env, type Readers } from './readers.js';

export const WAF_MODES = ['block', 'detect', 'off'] as const;
/** block: reject matches with 403; detect: log what would be blocked and let it through; off: no inspection. */
export type WafMode = (typeof WAF_MODES)[number];

export interface WafSettings {
  mode: WafMode;
  /** Largest request body (by Content-Length) accepted at all; uploads are the largest legitimate ones. */
  maxBodyBytes: number;
  /** Longest request line (path + query). */
  maxUrlLength: number;
  /** Most headers in one request. */
  maxHeaderCount: number;
  /** Longest single header value. */
  maxHeaderBytes: number;
  /** Anomaly score at which a request is blocked (each rule adds its severity). */
  blockScore: number;
}

export interface RateLimitSettings {
  /** Requests per minute per client IP to /api as a whole; 0 turns the limit off. */
  apiPerIpPerMin: number;
  /** Requests per minute per signed-in account to /api as a whole; 0 = off. */
  apiPerAccountPerMin: number;
  /** Login attempts per minute per client IP; 0 = off. */
  loginPerIpPerMin: number;
  /** Login attempts per minute per e-mail address tried; 0 = off. */
  loginPerAccountPerMin: number;
  /** Sign-ups per hour per client IP; 0 = off. */
  signupPerIpPerHour: number;
  /** /collect batches per minute per client IP; 0 = off. */
  collectPerIpPerMin: number;
}

export interface TlsSettings {
  /** PEM certificate chain path; HTTPS is on when both paths are set. */
  certPath: string | undefined;
  keyPath: string | undefined;
  /** Port of the plain-HTTP listener that redirects to HTTPS; undefined = no redirect listener. */
  redirectPort: number | undefined;
  /** HSTS max-age in seconds. */
  hstsMaxAge: number;
}

export interface EdgeConfig {
  waf: WafSettings;
  rateLimit: RateLimitSettings;
  tls: TlsSettings;
  /** Origins allowed to call the API cross-origin; empty (the default) = CORS closed. */
  corsOrigins: string[];
  /**
   * The browser reaches the shop over HTTPS (the web tier terminates TLS, or a proxy in front
   * does): cookies get the Secure flag and pages get HSTS.
   */
  isHttps: boolean;
  /**
   * The shop's public origin (`https://shop.example.com`): the only place the HTTP→HTTPS redirect
   * sends browsers. Never taken from the request's Host header, which anyone can set.
   */
  publicUrl: string | undefined;
  /**
   * Addresses (IPs or CIDR ranges) of the proxies in front of this tier whose X-Forwarded-For and
   * X-Forwarded-Proto are believed; from anyone else those headers are ignored. Default loopback.
   */
  trustedProxies: string[];
}

const LOOPBACK_PROXIES = ['127.0.0.1', '::1'];

function readOrigins(read: Readers): string[] {
  const name = 'THREADLINE_CORS_ORIGINS';
  const origins = (read.string(name) ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new ConfigError(name, `"${origin}" is not an origin like https://shop.example.com`);
    }
    // an origin is scheme://host[:port] only; a path or wildcard would silently never match
    if (parsed.origin !== origin) {
      throw new ConfigError(name, `"${origin}" is not an origin (expected "${parsed.origin}")`);
    }
  }
  return origins;
}

/**
 * The https origin of THREADLINE_PUBLIC_URL: where the HTTP→HTTPS redirect sends browsers. An
 * http:// public URL (a shop without TLS) is fine for every other use, so it is refused only when
 * the redirect listener is on.
 */
function readPublicUrl(read: Readers, isRedirecting: boolean): string | undefined {
  const name = 'THREADLINE_PUBLIC_URL';
  const raw = (read.string(name) ?? '').trim();
  if (raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `"${raw}" is not a URL like https://shop.example.com`);
  }
  if (parsed.protocol === 'http:' && !isRedirecting) return undefined;
  if (parsed.protocol !== 'https:' || parsed.origin !== raw.replace(/\/$/, '')) {
    throw new ConfigError(name, `"${raw}" is not an https origin (expected e.g. https://${parsed.host || 'shop.example.com'})`);
  }
  return parsed.origin;
}

function readTrustedProxies(read: Readers): string[] {
  const name = 'THREADLINE_TRUSTED_PROXIES';
  const entries = (read.string(name) ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 0) return LOOPBACK_PROXIES;
  for (const entry of entries) {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    // a /0 range (every address) is refused: it would believe every client's X-Forwarded-For, and
    // @fastify/proxy-addr, which compiles the list for both tiers, rejects it at start-up
    const isBitsValid = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) >= 1 && Number(bits) <= maxBits);
    if (family === 0 || !isBitsValid || extra !== undefined) {
      throw new ConfigError(name, `"${entry}" is not an IP address or CIDR range of at least /1 (e.g. 10.0.0.0/16)`);
    }
  }
  return entries;
}

/**
 * The edge section of the configuration tree (WAF, rate limits, TLS, CORS, proxies), read with
 * the variable table's defaults and bounds. `loadConfig` puts it at `config.edge`; packages/edge
 * receives it as options. `loadEdgeConfig(env)` reads only this section (tests, benchmarks).
 *
 * @example
 * const edge = loadEdgeConfig({ THREADLINE_WAF_MODE: 'detect' });
 * edge.waf.mode; // 'detect'
 */
export function loadEdgeConfig(env: Env): EdgeConfig {
  return readEdgeConfig(readers(env));
}

export function readEdgeConfig(read: Readers): EdgeConfig {
  const certPath = read.string('THREADLINE_TLS_CERT');
  const keyPath = read.string('THREADLINE_TLS_KEY');
  if ((certPath === undefined) !== (keyPath === undefined)) {
    const missing = certPath === undefined ? 'THREADLINE_TLS_CERT' : 'THREADLINE_TLS_KEY';
    throw new ConfigError(missing, 'HTTPS needs both THREADLINE_TLS_CERT and THREADLINE_TLS_KEY');
  }
  const isTlsHere = certPath !== undefined;
  const redirectPort = read.optionalPort('THREADLINE_HTTP_REDIRECT_PORT');
  return {
    waf: {
      mode: read.choice<WafMode>('THREADLINE_WAF_MODE') ?? 'block',
      maxBodyBytes: read.integer('THREADLINE_WAF_MAX_BODY_BYTES'),
      maxUrlLength: read.integer('THREADLINE_WAF_MAX_URL_LENGTH'),
      maxHeaderCount: read.integer('THREADLINE_WAF_MAX_HEADERS'),
      maxHeaderBytes: read.integer('THREADLINE_WAF_MAX_HEADER_BYTES'),
      blockScore: read.integer('THREADLINE_WAF_BLOCK_SCORE'),
    },
    rateLimit: {
      apiPerIpPerMin: read.integer('THREADLINE_RATE_LIMIT_PER_MIN'),
      apiPerAccountPerMin: read.integer('THREADLINE_RATE_LIMIT_ACCOUNT_PER_MIN'),
      loginPerIpPerMin: read.integer('THREADLINE_RATE_LIMIT_LOGIN_PER_MIN'),
      loginPerAccountPerMin: read.integer('THREADLINE_RATE_LIMIT_LOGIN_ACCOUNT_PER_MIN'),
      signupPerIpPerHour: read.integer('THREADLINE_RATE_LIMIT_SIGNUP_PER_HOUR'),
      collectPerIpPerMin: read.integer('THREADLINE_RATE_LIMIT_COLLECT_PER_MIN'),
    },
    tls: {
      certPath,
      keyPath,
      redirectPort,
      hstsMaxAge: read.integer('THREADLINE_HSTS_MAX_AGE'),
    },
    corsOrigins: readOrigins(read),
    isHttps: isTlsHere || read.boolean('THREADLINE_BEHIND_TLS_PROXY'),
    publicUrl: readPublicUrl(read, isTlsHere && redirectPort !== undefined),
    trustedProxies: readTrustedProxies(read),
  };
}
