import { createLogger, loadConfig, onShutdown, signalReady } from '@threadline/config';

import { buildWebApp } from './app.js';

/** Runs the web tier until SIGINT/SIGTERM (`threadline web`). */
export async function runWeb(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ name: 'web', level: config.logLevel, isPretty: config.isPrettyLog });
  const app = await buildWebApp({ config, logger });
  await app.listen({ port: config.webPort, host: config.host });
  logger.info(`web tier listening on http://${config.host}:${config.webPort}, API at ${config.apiUrl}`);
  signalReady({ url: `http://${config.host}:${config.webPort}` });
  onShutdown(() => app.close());
}
