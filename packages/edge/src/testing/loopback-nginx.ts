import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort } from '@threadline/db/testing';

import type { ReplayTarget } from '../corpus/replay.js';
import { DEBIAN_PATHS, startNginx, type NginxValues, type RunningNginx } from '../nginx/nginx.js';
import { createSelfSignedCertificate } from '../tls/tls.js';
import { startStubUpstream } from './stub-upstream.js';

export interface LoopbackNginx {
  nginx: RunningNginx;
  /** HTTPS on loopback with the self-signed certificate trusted and `Host: localhost`. */
  target: ReplayTarget;
  httpPort: number;
  httpsPort: number;
  web: Awaited<ReturnType<typeof startStubUpstream>>;
  api: Awaited<ReturnType<typeof startStubUpstream>>;
  /** Stops nginx and the stub tiers and removes the folder. */
  close(): Promise<void>;
}

/**
 * deploy/nginx rendered into a temporary folder and run on free loopback ports, with stub web and
 * API tiers behind it (they answer with `x-reached: web|api`) and three hashed assets. For the
 * nginx tests and benchmarks; `values` overrides the defaults (paranoia 1, generous API rate).
 */
export async function startLoopbackNginx(values: Partial<NginxValues> = {}): Promise<LoopbackNginx> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-nginx-'));
  // nginx workers run unprivileged: they must be able to read the assets and write temp files
  chmodSync(dir, 0o755);
  const cert = await createSelfSignedCertificate({ dir: path.join(dir, 'tls') });
  const web = await startStubUpstream('web');
  const api = await startStubUpstream('api');
  mkdirSync(path.join(dir, 'dist', 'assets'), { recursive: true });
  for (const file of ['index-4f9a1c2b.js', 'index-7d1e0b33.css', 'logo-3a2b1c.svg']) writeFileSync(path.join(dir, 'dist', 'assets', file), '/* asset */');
  const httpPort = await freePort();
  const httpsPort = await freePort();
  const nginx = await startNginx({
    prefix: path.join(dir, 'run'),
    confDir: path.join(dir, 'conf'),
    listenAddress: '127.0.0.1',
    httpPort,
    httpsPort,
    serverName: 'localhost',
    tlsCert: cert.certPath,
    tlsKey: cert.keyPath,
    webUpstream: `127.0.0.1:${web.port}`,
    apiUpstream: `127.0.0.1:${api.port}`,
    assetsRoot: path.join(dir, 'dist'),
    paranoia: 1,
    hstsMaxAge: 31_536_000,
    apiRate: '2000r/s',
    wafRecordPort: await freePort(),
    ...DEBIAN_PATHS,
    ...values,
  });
  for (const sub of ['run/tmp/body', 'run/tmp/proxy', 'run/tmp/modsec']) chmodSync(path.join(dir, sub), 0o777);
  return {
    nginx,
    target: { host: '127.0.0.1', port: httpsPort, isTls: true, hostHeader: 'localhost', ca: readFileSync(cert.certPath) },
    httpPort,
    httpsPort,
    web,
    api,
    async close() {
      await nginx.stop();
      await Promise.all([web.close(), api.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
