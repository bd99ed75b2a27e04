import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Config } from '@threadline/config';
import { planMonitoringCompanions } from '@threadline/ops';

import type { ServiceSpec } from './supervisor.js';

/** The `threadline` executable, so every tier runs as `node threadline.mjs <tier>`. */
export const CLI_BIN = fileURLToPath(new URL('../../bin/threadline.mjs', import.meta.url));
export const REPO_ROOT = path.resolve(path.dirname(CLI_BIN), '..', '..', '..');

function tier(name: string, readyUrl: string | undefined, env: Record<string, string>): ServiceSpec {
  return { name, command: process.execPath, args: [CLI_BIN, name], env, ...(readyUrl ? { readyUrl } : {}) };
}

/** The application processes `npm start` runs after the database: API, web tier, worker. */
export function tierServices(config: Config, env: Record<string, string>): ServiceSpec[] {
  return [
    tier('api', `http://127.0.0.1:${config.apiPort}/readyz`, env),
    tier('web', `http://127.0.0.1:${config.webPort}/readyz`, env),
    tier('worker', undefined, env),
  ];
}

/**
 * Optional companions (Prometheus, Alertmanager…) started after the tiers when their binaries are
 * present. Operations features add theirs here.
 */
export function companionServices(config: Config, _env: Record<string, string>): { services: ServiceSpec[]; notes: string[] } {
  return planMonitoringCompanions(config);
}
