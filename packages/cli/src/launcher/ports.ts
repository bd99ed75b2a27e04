import { createServer } from 'node:net';

import { recordPorts, type Config, type RecordedPorts } from '@threadline/config';

/** A port that is already taken; the message is one line naming the port, its owner and the fix. */
export class PortInUseError extends Error {
  readonly kind = 'conflict';
  constructor(
    readonly port: number,
    readonly purpose: string,
    readonly variable: string,
  ) {
    super(`port ${port} (${purpose}) is already in use: stop what listens there (ss -ltnp 'sport = :${port}') or set ${variable} to a free port`);
    this.name = 'PortInUseError';
  }
}

/** True when nothing listens on `host:port` (and we may bind it). Port 0 is always free. */
export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  if (port === 0) return true;
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A free loopback port chosen by the kernel. */
export async function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}

/** Port of API replica `index` (0-based): the first at THREADLINE_API_PORT, the others after the worker's. */
export function apiReplicaPort(config: Pick<Config, 'apiPort' | 'workerPort'>, index: number): number {
  if (config.apiPort === 0) return 0;
  return index === 0 ? config.apiPort : Math.max(config.apiPort, config.workerPort) + index;
}

/** Metrics port of the standby worker (0 = any). */
export function standbyWorkerPort(config: Pick<Config, 'workerPort' | 'apiPort' | 'apiReplicas'>): number {
  if (config.workerPort === 0) return 0;
  return Math.max(config.apiPort, config.workerPort) + config.apiReplicas;
}

interface DataDirPort {
  key: keyof RecordedPorts;
  value: number;
  purpose: string;
  variable: string;
}

/**
 * Checks the ports `npm start` will bind. Ports given in the environment must be free (else a
 * PortInUseError); ports of the data directory's own servers (PostgreSQL, Prometheus, Alertmanager) not given there keep their default or recorded value when free, else move to a
 * free port — recorded in `<dataDir>/ports.json` so later commands find them.
 *
 * @returns the environment the children need to find the resolved ports.
 */
export async function resolveLaunchPorts(options: {
  config: Config;
  env: Record<string, string | undefined>;
  tierPorts: Array<{ port: number; purpose: string; variable: string }>;
  withPg: boolean;
  withMonitoring: boolean;
}): Promise<{ config: Config; env: Record<string, string> }> {
  const { config, env } = options;
  for (const tier of options.tierPorts) {
    if (!(await isPortFree(tier.port, config.host))) throw new PortInUseError(tier.port, tier.purpose, tier.variable);
  }
  const wanted: DataDirPort[] = [];
  if (options.withPg) wanted.push({ key: 'pg', value: config.pgPort, purpose: 'embedded PostgreSQL', variable: 'THREADLINE_PG_PORT' });
  if (options.withMonitoring) {
    wanted.push({ key: 'prometheus', value: config.prometheusPort, purpose: 'Prometheus', variable: 'THREADLINE_PROMETHEUS_PORT' });
    wanted.push({ key: 'alertmanager', value: config.alertmanagerPort, purpose: 'Alertmanager', variable: 'THREADLINE_ALERTMANAGER_PORT' });
  }
  const resolved: RecordedPorts = {};
  const taken = new Set(options.tierPorts.map((tier) => tier.port));
  for (const port of wanted) {
    let value = port.value;
    if (taken.has(value) || !(await isPortFree(value))) {
      if (env[port.variable]) throw new PortInUseError(value, port.purpose, port.variable);
      do value = await pickFreePort();
      while (taken.has(value));
    }
    taken.add(value);
    resolved[port.key] = value;
  }
  if (Object.keys(resolved).length > 0) recordPorts(config.dataDir, resolved);
  const next: Config = {
    ...config,
    pgPort: resolved.pg ?? config.pgPort,
    prometheusPort: resolved.prometheus ?? config.prometheusPort,
    alertmanagerPort: resolved.alertmanager ?? config.alertmanagerPort,
  };
  return {
    config: next,
    env: {
      THREADLINE_PG_PORT: String(next.pgPort),
      THREADLINE_PROMETHEUS_PORT: String(next.prometheusPort),
      THREADLINE_ALERTMANAGER_PORT: String(next.alertmanagerPort),
    },
  };
}
