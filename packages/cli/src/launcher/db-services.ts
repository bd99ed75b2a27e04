import type { Config } from '@threadline/config';

import { CLI_BIN } from './services.js';
import type { ServiceSpec } from './supervisor.js';

/**
 * The database tier `npm start` runs for the embedded cluster. `releasePort` hands over the port
 * the launcher held for PostgreSQL when the tier asks for it, right before the server binds it.
 */
export function dbServices(_config: Config, env: Record<string, string>, releasePort?: (port: number) => Promise<void>): ServiceSpec[] {
  return [{ name: 'db', command: process.execPath, args: [CLI_BIN, 'db'], env, isStoppedLast: true, ...(releasePort ? { releasePort } : {}) }];
}
