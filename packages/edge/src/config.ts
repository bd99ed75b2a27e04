import { isIP } from 'node:net';

import { EdgeConfigError } from './errors.js';

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

type Env = Record<string, string | undefined>;

function readCount(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new EdgeConfigError(name, `expected a whole number ≥ 0, got "${raw}"`);
  }
  return value;
}

function readPort(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new EdgeConfigError(name, `expected a port number 0-65535, got "${raw}"`);
  }
  return port;
}

function readMode(env: Env): WafMode {
  const raw = (env.THREADLINE_WAF_MODE ?? '').trim().toLowerCase();
  if (raw === '') return 'block';
  const mode = WAF_MODES.find((candidate) => candidate === raw);
  if (!mode) throw new EdgeConfigError('THREADLINE_WAF_MODE', `expected one of ${WAF_MODES.join(', ')}, got "${raw}"`);
  return mode;
}

function readOrigins(env: Env): string[] {
  const raw = env.THREADLINE_CORS_ORIGINS ?? '';
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new EdgeConfigError('THREADLINE_CORS_ORIGINS', `"${origin}" is not an origin like https://shop.example.com`);
    }
    // an origin is scheme://host[:port] only; a path or wildcard would silently never match
    if (parsed.origin !== origin) {
      throw new EdgeConfigError('THREADLINE_CORS_ORIGINS', `"${origin}" is not an origin (expected "${parsed.origin}")`);
    }
  }
  return origins;
}

function readPublicUrl(env: Env): string | undefined {
  const raw = (env.THREADLINE_PUBLIC_URL ?? '').trim();
  if (raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new EdgeConfigError('THREADLINE_PUBLIC_URL', `"${raw}" is not a URL like https://shop.example.com`);
  }
  if (parsed.protocol !== 'https:' || parsed.origin !== raw.replace(/\/$/, '')) {
    throw new EdgeConfigError('THREADLINE_PUBLIC_URL', `"${raw}" is not an https origin (expected e.g. https://${parsed.host || 'shop.example.com'})`);
  }
  return parsed.origin;
}

const LOOPBACK_PROXIES = ['127.0.0.1', '::1'];

function readTrustedProxies(env: Env): string[] {
  const raw = (env.THREADLINE_TRUSTED_PROXIES ?? '').trim();
  if (raw === '') return LOOPBACK_PROXIES;
  const entries = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const maxBits = family === 6 ? 128 : 32;
    const isBitsValid = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (family === 0 || !isBitsValid || extra !== undefined) {
      throw new EdgeConfigError('THREADLINE_TRUSTED_PROXIES', `"${entry}" is not an IP address or CIDR range (e.g. 10.0.0.0/16)`);
    }
  }
  return entries;
}

/**
 * Reads the edge settings (WAF, rate limits, TLS, CORS) from the environment, checked once.
 *
 * @example
 * const edge = loadEdgeConfig(process.env);
 * if (edge.waf.mode === 'detect') logger.warn('WAF in detect-only mode');
 */
export function loadEdgeConfig(env: Env = process.env): EdgeConfig {
  const certPath = env.THREADLINE_TLS_CERT || undefined;
  const keyPath = env.THREADLINE_TLS_KEY || undefined;
  if ((certPath === undefined) !== (keyPath === undefined)) {
    const missing = certPath === undefined ? 'THREADLINE_TLS_CERT' : 'THREADLINE_TLS_KEY';
    throw new EdgeConfigError(missing, 'HTTPS needs both THREADLINE_TLS_CERT and THREADLINE_TLS_KEY');
  }
  const isTlsHere = certPath !== undefined;
  const behindTlsProxy = env.THREADLINE_BEHIND_TLS_PROXY === '1';
  return {
    waf: {
      mode: readMode(env),
      maxBodyBytes: readCount(env, 'THREADLINE_WAF_MAX_BODY_BYTES', 25 * 1024 * 1024),
      maxUrlLength: readCount(env, 'THREADLINE_WAF_MAX_URL_LENGTH', 4096),
      maxHeaderCount: readCount(env, 'THREADLINE_WAF_MAX_HEADERS', 100),
      maxHeaderBytes: readCount(env, 'THREADLINE_WAF_MAX_HEADER_BYTES', 8192),
      blockScore: Math.max(1, readCount(env, 'THREADLINE_WAF_BLOCK_SCORE', 5)),
    },
    rateLimit: {
      apiPerIpPerMin: readCount(env, 'THREADLINE_RATE_LIMIT_PER_MIN', 1200),
      apiPerAccountPerMin: readCount(env, 'THREADLINE_RATE_LIMIT_ACCOUNT_PER_MIN', 1200),
      loginPerIpPerMin: readCount(env, 'THREADLINE_RATE_LIMIT_LOGIN_PER_MIN', 30),
      loginPerAccountPerMin: readCount(env, 'THREADLINE_RATE_LIMIT_LOGIN_ACCOUNT_PER_MIN', 10),
      signupPerIpPerHour: readCount(env, 'THREADLINE_RATE_LIMIT_SIGNUP_PER_HOUR', 20),
      collectPerIpPerMin: readCount(env, 'THREADLINE_RATE_LIMIT_COLLECT_PER_MIN', 600),
    },
    tls: {
      certPath,
      keyPath,
      redirectPort: readPort(env, 'THREADLINE_HTTP_REDIRECT_PORT'),
      hstsMaxAge: readCount(env, 'THREADLINE_HSTS_MAX_AGE', 31_536_000),
    },
    corsOrigins: readOrigins(env),
    isHttps: isTlsHere || behindTlsProxy,
    publicUrl: readPublicUrl(env),
    trustedProxies: readTrustedProxies(env),
  };
}
