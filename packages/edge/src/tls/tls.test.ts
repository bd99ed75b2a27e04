import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';

import Fastify from 'fastify';

import { loadEdgeConfig } from '@threadline/config';
import { TlsError } from '../errors.js';
import { createRedirectServer, createSelfSignedCertificate, loadHttpsOptions } from './tls.js';

function handshake(port: number, ca: Buffer, options: tls.ConnectionOptions): Promise<{ protocol: string | null; cipher: string }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, ...options }, () => {
      const result = { protocol: socket.getProtocol(), cipher: socket.getCipher().name };
      socket.end();
      resolve(result);
    });
    socket.on('error', reject);
  });
}

describe('HTTPS for the web tier', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-tls-'));
  let certPath = '';
  let keyPath = '';
  let ca = Buffer.alloc(0);
  let port = 0;
  let httpsApp: ReturnType<typeof Fastify> | undefined;

  before(async () => {
    const created = await createSelfSignedCertificate({ dir, hostnames: ['shop.local'] });
    certPath = created.certPath;
    keyPath = created.keyPath;
    ca = readFileSync(certPath);
    const https = loadHttpsOptions(loadEdgeConfig({ THREADLINE_TLS_CERT: certPath, THREADLINE_TLS_KEY: keyPath }).tls);
    assert.ok(https);
    httpsApp = Fastify({ https });
    httpsApp.get('/', async () => ({ ok: true }));
    await httpsApp.listen({ port: 0, host: '127.0.0.1' });
    port = (httpsApp.server.address() as AddressInfo).port; // TCP listener: always AddressInfo
  });
  after(async () => {
    await httpsApp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('`tls self-signed` makes a certificate for localhost and the given names, key readable by the owner only', () => {
    const text = readFileSync(certPath, 'utf8');
    assert.match(text, /BEGIN CERTIFICATE/);
    assert.equal(statSync(keyPath).mode & 0o077, 0);
  });

  it('refuses to overwrite an existing certificate unless forced', async () => {
    await assert.rejects(createSelfSignedCertificate({ dir }), TlsError);
  });

  it('speaks TLS 1.3 and TLS 1.2 with AEAD ciphers only', async () => {
    assert.equal((await handshake(port, ca, {})).protocol, 'TLSv1.3');
    const tls12 = await handshake(port, ca, { maxVersion: 'TLSv1.2' });
    assert.equal(tls12.protocol, 'TLSv1.2');
    assert.match(tls12.cipher, /GCM|CHACHA20/);
  });

  it('refuses TLS 1.1 and CBC-only clients', async () => {
    await assert.rejects(handshake(port, ca, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }));
    await assert.rejects(handshake(port, ca, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA' }));
  });

  it('names the variable when a certificate file is missing or the key does not match', async () => {
    assert.throws(
      () => loadHttpsOptions(loadEdgeConfig({ THREADLINE_TLS_CERT: path.join(dir, 'nope.pem'), THREADLINE_TLS_KEY: keyPath }).tls),
      /THREADLINE_TLS_CERT: .*nope\.pem does not exist/,
    );
    const other = await createSelfSignedCertificate({ dir: path.join(dir, 'other') });
    assert.throws(() => loadHttpsOptions(loadEdgeConfig({ THREADLINE_TLS_CERT: certPath, THREADLINE_TLS_KEY: other.keyPath }).tls), /is not the key of/);
    assert.throws(() => loadEdgeConfig({ THREADLINE_TLS_CERT: certPath }), /THREADLINE_TLS_KEY/);
  });

  it('the HTTP listener redirects every request to the configured public origin with 308, never to the Host header', async () => {
    for (const [publicUrl, expected] of [
      ['https://shop.example.com', 'https://shop.example.com'],
      [undefined, `https://localhost:${port}`],
    ] as const) {
      const server = createRedirectServer({ httpsPort: port, publicUrl });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const httpPort = (server.address() as AddressInfo).port; // TCP listener: always AddressInfo
      const get = (target: string, host: string): Promise<http.IncomingMessage> =>
        new Promise((resolve, reject) => {
          http.get({ host: '127.0.0.1', port: httpPort, path: target, headers: { host } }, resolve).on('error', reject);
        });
      const plain = await get('/cart?x=1', `shop.local:${httpPort}`);
      plain.resume();
      assert.equal(plain.statusCode, 308);
      assert.equal(plain.headers.location, `${expected}/cart?x=1`);
      const forged = await get('/account', 'evil.example');
      forged.resume();
      assert.equal(forged.headers.location, `${expected}/account`);
      const absolute = await get('http://evil.example/x', 'evil.example');
      absolute.resume();
      assert.equal(absolute.headers.location, `${expected}/`);
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
