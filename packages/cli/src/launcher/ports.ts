import { createServer, type Server } from 'node:net';

import { isPortFree, recordPorts, type Config, type RecordedPorts } from '@threadline/config';

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

/**
 * Where ports chosen for a data directory come from: below Linux's default range for outgoing
 * connections' local ports (32768–60999). A port picked there (port 0) can be taken by any
 * outgoing connection before its server binds it, or at any later start, since the choice is
 * recorded in ports.json and reused. (The tests' fixed port blocks use 20000–32011, apart.)
 */
export const STABLE_PORT_RANGE = { first: 15_000, last: 19_999 } as const;

/** A random port of STABLE_PORT_RANGE; the caller checks that it is free. */
export function pickStablePort(random: () => number = Math.random): number {
  return STABLE_PORT_RANGE.first + Math.floor(random() * (STABLE_PORT_RANGE.last - STABLE_PORT_RANGE.first + 1));
}

/** A port of STABLE_PORT_RANGE that `isTaken` (by default: something listens there) does not refuse. */
export async function freeStablePort(isTaken: (port: number) => Promise<boolean> = async (port) => !(await isPortFree(port))): Promise<number> {
  let port = pickStablePort();
  while (await isTaken(port)) port = pickStablePort();
  return port;
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

/**
 * Ports the launcher has chosen for servers that bind them later (PostgreSQL after initdb, seconds
 * on a first start; Prometheus and Alertmanager once the shop is ready, a minute): it listens on
 * them itself meanwhile, so no other program — another instance started at the same time, picking
 * the same default or free port — takes them in between, and hands each over right before its
 * server binds it.
 */
export class PortReservations {
  private readonly held = new Map<number, Server>();

  /** Listens on `port` (loopback); false when that is not possible (taken). */
  async hold(port: number): Promise<boolean> {
    if (port === 0 || this.held.has(port)) return true;
    const server = createServer();
    const isHeld = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(true));
    });
    // a connection to the placeholder (a probe) is closed at once
    if (isHeld) {
      server.on('connection', (socket) => socket.destroy());
      server.unref();
      this.held.set(port, server);
    }
    return isHeld;
  }

  /** Stops listening on `port` so its server can bind it now. */
  async release(port: number): Promise<void> {
    const server = this.held.get(port);
    if (!server) return;
    this.held.delete(port);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...this.held.keys()].map((port) => this.release(port)));
  }

  /** The ports held now. */
  ports(): number[] {
    return [...this.held.keys()];
  }
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
 * free port — recorded in `<dataDir>/ports.json` so later commands find them. Those ports are
 * held in `reserved` until their servers bind them (`release`, or the db tier's `claimPort`).
 *
 * @returns the environment the children need to find the resolved ports.
 */
export async function resolveLaunchPorts(options: {
  config: Config;
  env: Record<string, string | undefined>;
  tierPorts: Array<{ port: number; purpose: string; variable: string }>;
  withPg: boolean;
  withMonitoring: boolean;
}): Promise<{ config: Config; env: Record<string, string>; reserved: PortReservations }> {
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
  // every chosen port is held until its server binds it: PostgreSQL's after initdb (seconds on a
  // first start), the monitoring servers' once the shop is ready (a minute)
  const reserved = new PortReservations();
  for (const port of wanted) {
    let value = port.value;
    const isTaken = async (candidate: number): Promise<boolean> => taken.has(candidate) || !(await reserved.hold(candidate));
    if (await isTaken(value)) {
      if (env[port.variable]) {
        await reserved.releaseAll();
        const other = wanted.find((earlier) => earlier !== port && resolved[earlier.key] === value);
        throw other ? new PortInUseError(value, `${port.purpose}, also given to ${other.purpose} by ${other.variable}`, port.variable) : new PortInUseError(value, port.purpose, port.variable);
      }
      value = await freeStablePort(isTaken);
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
    reserved,
    env: {
      THREADLINE_PG_PORT: String(next.pgPort),
      THREADLINE_PROMETHEUS_PORT: String(next.prometheusPort),
      THREADLINE_ALERTMANAGER_PORT: String(next.alertmanagerPort),
    },
  };
}
