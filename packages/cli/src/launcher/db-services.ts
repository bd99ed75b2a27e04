import type { Config } from '@threadline/config';

import { CLI_BIN } from './services.js';
import type { ServiceSpec } from './supervisor.js';

/** The database tier `npm start` runs for the embedded cluster. */
export function dbServices(_config: Config, env: Record<string, string>): ServiceSpec[] {
  return [{ name: 'db', command: process.execPath, args: [CLI_BIN, 'db'], env, isStoppedLast: true }];
}
