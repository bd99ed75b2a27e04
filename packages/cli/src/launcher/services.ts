import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { MAX_SOCKET_PATH_BYTES, type Config } from '@threadline/config';
import { planMonitoringCompanions } from '@threadline/ops';

import { tierNodeFlags } from './node-flags.js';
import { apiReplicaPort, standbyWorkerPort } from './ports.js';
import type { ServiceSpec } from './supervisor.js';

/** The `threadline` executable, so every tier runs as `node threadline.mjs <tier>`. */
export const CLI_BIN = fileURLToPath(new URL('../../bin/threadline.mjs', import.meta.url));
export const REPO_ROOT = path.resolve(path.dirname(CLI_BIN), '..', '..', '..');

/** How long an API replica keeps serving after SIGTERM while failing /readyz, so the web tier stops sending it requests first. */
export const API_DRAIN_MS = 1_500;

function tier(name: string, command: string, readyUrl: string | undefined, env: Record<string, string>): ServiceSpec {
  return { name, command: process.execPath, args: [...tierNodeFlags(command), CLI_BIN, command], env, ...(readyUrl ? { readyUrl } : {}) };
}

/**
 * The Unix socket API replica `index` (0-based) listens on besides its port, under the data dir's
 * run/ (owner-only): the web tier, on the same host, forwards through it without loopback TCP.
 * Undefined when the data dir's path is too long for a socket address: that replica is then
 * reached over TCP only.
 */
export function apiReplicaSocket(config: Config, index: number): string | undefined {
  const socketPath = path.join(config.paths.run, `api-${index + 1}.sock`);
  return Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH_BYTES ? socketPath : undefined;
}

/** The API replicas `npm start` runs (`api-1`…`api-N`), each on its own port and Unix socket. */
export function apiServices(config: Config, env: Record<string, string>): ServiceSpec[] {
  return Array.from({ length: config.apiReplicas }, (_, index) => {
    const port = apiReplicaPort(config, index);
    const socketPath = apiReplicaSocket(config, index);
    return tier(`api-${index + 1}`, 'api', port ? `http://127.0.0.1:${port}/readyz` : undefined, {
      ...env,
      THREADLINE_API_PORT: String(port),
      THREADLINE_API_DRAIN_MS: String(API_DRAIN_MS),
      ...(socketPath ? { THREADLINE_API_SOCKET: socketPath } : {}),
    });
  });
}

/** The web tier, balancing over the given API URLs (the launcher's replicas: through their Unix sockets). */
export function webService(config: Config, env: Record<string, string>, apiUrls: string[]): ServiceSpec {
  const sockets = apiUrls.map((_, index) => apiReplicaSocket(config, index) ?? '');
  const spec = tier('web', 'web', config.webPort ? `http://127.0.0.1:${config.webPort}/readyz` : undefined, {
    ...env,
    THREADLINE_API_URL: apiUrls[0] ?? config.apiUrl,
    THREADLINE_API_URLS: apiUrls.join(','),
    THREADLINE_API_SOCKETS: sockets.join(','),
  });
  // listening is not ready: its /readyz answers 200 once an API replica (and so the database) answers
  return { ...spec, isReadyByUrlOnly: true };
}

/**
 * The worker and its standby: both start, one takes the PostgreSQL advisory lock and runs the
 * jobs; the other waits for the lock and takes over when the first one dies.
 */
export function workerServices(config: Config, env: Record<string, string>, apiUrls: string[]): ServiceSpec[] {
  // MALLOC_ARENA_MAX=2: glibc gives each thread that allocates its own malloc arena (up to 8 per
  // core) and keeps freed memory in them; the worker's DuckDB threads run a flush, compaction or
  // rollup every few seconds from changing threads, so its RSS climbed arena by arena in the soak
  // while the JS heap stayed flat. Two arenas bound that at a small cost in allocator contention.
  // An operator's own MALLOC_ARENA_MAX (in the launcher's environment) wins.
  const withApi = { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2', ...env, THREADLINE_API_URL: apiUrls[0] ?? config.apiUrl };
  return [
    tier('worker', 'worker', undefined, withApi),
    tier('worker-2', 'worker', undefined, { ...withApi, THREADLINE_WORKER_PORT: String(standbyWorkerPort(config)) }),
  ];
}

/**
 * Optional companions (Prometheus, Alertmanager…) started after the tiers when their binaries are
 * present. Operations features add theirs here.
 */
export function companionServices(config: Config, apiUrls: string[]): ReturnType<typeof planMonitoringCompanions> {
  return planMonitoringCompanions(config, { apiUrls, workerUrls: [`127.0.0.1:${config.workerPort}`, `127.0.0.1:${standbyWorkerPort(config)}`] });
}
