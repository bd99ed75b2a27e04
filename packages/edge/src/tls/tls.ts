import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import { promisify } from 'node:util';

import type { TlsSettings } from '../config.js';
import { TlsError } from '../errors.js';

const run = promisify(execFile);

/**
 * Cipher suites for TLS 1.2 (TLS 1.3 suites are all modern and not configurable here): forward
 * secrecy (ECDHE) and AEAD only, the Mozilla "intermediate" list. No CBC, RSA key exchange, 3DES
 * or RC4.
 */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Options for `https.createServer` / Fastify's `https`: modern protocol versions and ciphers only. */
export interface HttpsServerOptions extends SecureContextOptions {
  cert: Buffer;
  key: Buffer;
  minVersion: 'TLSv1.2';
  ciphers: string;
  honorCipherOrder: true;
  /** Offer HTTP/1.1 only over ALPN: Fastify serves HTTP/1.1 here; nginx in front does HTTP/2. */
  ALPNProtocols: string[];
}

function readPem(file: string, variable: string): Buffer {
  if (!existsSync(file)) throw new TlsError('TLS_FILE_MISSING', `${variable}: ${file} does not exist (create one with \`threadline tls self-signed\`)`);
  return readFileSync(file);
}

/**
 * Reads the certificate and key named by THREADLINE_TLS_CERT / THREADLINE_TLS_KEY and returns
 * server options with TLS 1.2+ and AEAD ciphers; undefined when HTTPS is not configured. Fails
 * with a TlsError naming the variable when a file is missing, unreadable, expired, or the key
 * does not belong to the certificate.
 *
 * @example
 * const https = loadHttpsOptions(config.edge.tls);
 * const app = Fastify({ https });
 */
export function loadHttpsOptions(settings: TlsSettings, now: Date = new Date()): HttpsServerOptions | undefined {
  if (settings.certPath === undefined || settings.keyPath === undefined) return undefined;
  const cert = readPem(settings.certPath, 'THREADLINE_TLS_CERT');
  const key = readPem(settings.keyPath, 'THREADLINE_TLS_KEY');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    throw new TlsError('TLS_INVALID', `THREADLINE_TLS_CERT: ${settings.certPath} is not a PEM certificate`, { cause: error });
  }
  try {
    if (!certificate.checkPrivateKey(createPrivateKey(key))) {
      throw new TlsError('TLS_INVALID', `THREADLINE_TLS_KEY: ${settings.keyPath} is not the key of ${settings.certPath}`);
    }
  } catch (error) {
    if (error instanceof TlsError) throw error;
    throw new TlsError('TLS_INVALID', `THREADLINE_TLS_KEY: ${settings.keyPath} is not a PEM private key`, { cause: error });
  }
  if (new Date(certificate.validTo).getTime() < now.getTime()) {
    throw new TlsError('TLS_INVALID', `THREADLINE_TLS_CERT: ${settings.certPath} expired on ${certificate.validTo}`);
  }
  return { cert, key, minVersion: 'TLSv1.2', ciphers: TLS12_CIPHERS, honorCipherOrder: true, ALPNProtocols: ['http/1.1'] };
}

/**
 * A plain-HTTP listener that answers every request with 308 to the same path on HTTPS (308 keeps
 * the method and body, unlike 301/302). The target is the configured public origin, never the
 * request's Host header: a forged Host would otherwise send the browser to another site
 * (`Host: evil.example` → `Location: https://evil.example/…`). Without a public URL it is
 * `https://localhost:<httpsPort>`, the local default. Health checks get the redirect too: they
 * should probe the HTTPS port.
 *
 * @example
 * createRedirectServer({ httpsPort: 8443, publicUrl: edge.publicUrl }).listen(8080);
 */
export function createRedirectServer(options: { httpsPort: number; publicUrl?: string | undefined }): http.Server {
  const origin = options.publicUrl ?? `https://localhost${options.httpsPort === 443 ? '' : `:${options.httpsPort}`}`;
  return http.createServer((request, response) => {
    // origin-form only: an absolute-form target (`GET http://evil.example/ HTTP/1.1`) would be
    // glued onto the host name
    const pathAndQuery = request.url?.startsWith('/') ? request.url : '/';
    const target = `${origin}${pathAndQuery}`;
    response.writeHead(308, { location: target, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    response.end(`moved to ${target}\n`);
  });
}

export interface SelfSignedResult {
  certPath: string;
  keyPath: string;
  subject: string;
  validTo: string;
  fingerprint256: string;
}

/**
 * Makes a self-signed certificate for local HTTPS with `openssl` (ECDSA P-256, SANs for the given
 * names plus localhost, 127.0.0.1 and ::1). Browsers will warn once; `curl --cacert cert.pem`
 * trusts it. Refuses to overwrite existing files unless `isForced`.
 */
export async function createSelfSignedCertificate(options: {
  dir: string;
  hostnames?: readonly string[];
  days?: number;
  isForced?: boolean;
}): Promise<SelfSignedResult> {
  const certPath = path.join(options.dir, 'cert.pem');
  const keyPath = path.join(options.dir, 'key.pem');
  if (!options.isForced && (existsSync(certPath) || existsSync(keyPath))) {
    throw new TlsError('TLS_INVALID', `${certPath} already exists; pass --force to replace it`);
  }
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const names = [...new Set([...(options.hostnames ?? []), 'localhost'])];
  const primary = names[0] ?? 'localhost';
  const altNames = [...names.map((name) => (/^[\d.]+$|:/.test(name) ? `IP:${name}` : `DNS:${name}`)), 'IP:127.0.0.1', 'IP:::1'];
  const args = [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-days', String(options.days ?? 397),
    '-subj', `/CN=${primary}/O=Threadline local`,
    '-addext', `subjectAltName=${[...new Set(altNames)].join(',')}`,
    '-addext', 'keyUsage=digitalSignature',
    '-addext', 'extendedKeyUsage=serverAuth',
    '-keyout', keyPath, '-out', certPath,
  ];
  try {
    await run('openssl', args, { timeout: 30_000 });
  } catch (error) {
    const isMissing = error instanceof Error && 'code' in error && error.code === 'ENOENT';
    if (isMissing) throw new TlsError('OPENSSL_MISSING', 'openssl is not installed (apt-get install openssl)', { cause: error });
    const stderr = error instanceof Error && 'stderr' in error ? String(error.stderr) : String(error);
    throw new TlsError('OPENSSL_FAILED', `openssl failed: ${stderr.trim()}`, { cause: error });
  }
  chmodSync(keyPath, 0o600);
  const certificate = new X509Certificate(readFileSync(certPath));
  return { certPath, keyPath, subject: certificate.subject, validTo: certificate.validTo, fingerprint256: certificate.fingerprint256 };
}
