import type { Config } from '@threadline/config';

import type { PortReservations } from './ports.js';
import { CLI_BIN } from './services.js';
import type { ServiceSpec } from './supervisor.js';

/**
 * The database tier `npm start` runs for the embedded cluster. With `reserved` (the launcher's held
 * ports), PostgreSQL's port is handed over when the tier asks for it, right before the server binds
 * it, and held again while a crashed tier waits to be restarted.
 */
export function dbServices(config: Config, env: Record<string, string>, reserved?: PortReservations): ServiceSpec[] {
  const ports = reserved ? { releasePort: (port: number) => reserved.release(port), holdPort: () => reserved.hold(config.pgPort) } : {};
  return [{ name: 'db', command: process.execPath, args: [CLI_BIN, 'db'], env, isStoppedLast: true, ...ports }];
}
