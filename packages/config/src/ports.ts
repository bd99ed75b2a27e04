import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

/**
 * Ports of the servers that belong to one data directory (embedded PostgreSQL, Prometheus,
 * Alertmanager). Picked by the launcher on first start — the usual default when free,
 * else any free port — and kept here, so two data directories run side by side and every later
 * command (backup, status…) finds the same servers without being told.
 */
export interface RecordedPorts {
  pg?: number;
  prometheus?: number;
  alertmanager?: number;
}

export const PORTS_FILE = 'ports.json';

const KEYS = ['pg', 'prometheus', 'alertmanager'] as const;

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 65536;
}

/** The ports recorded in `<dataDir>/ports.json`; a missing or damaged file records nothing. */
export function readRecordedPorts(dataDir: string): RecordedPorts {
  const file = path.join(dataDir, PORTS_FILE);
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const found: RecordedPorts = {};
  for (const key of KEYS) {
    const value: unknown = Reflect.get(parsed, key);
    if (isPort(value)) found[key] = value;
  }
  return found;
}

/** Merges `ports` into `<dataDir>/ports.json`. */
export function recordPorts(dataDir: string, ports: RecordedPorts): void {
  mkdirSync(dataDir, { recursive: true });
  const merged = { ...readRecordedPorts(dataDir), ...ports };
  writeFileSync(path.join(dataDir, PORTS_FILE), `${JSON.stringify(merged, null, 2)}\n`);
}

/** A free TCP port on loopback, chosen by the kernel (for scratch servers and tests). */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
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
