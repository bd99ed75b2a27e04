import { createLogger, loadConfig, onShutdown, signalReady } from '@threadline/config';
import { createRedirectServer, loadHttpsOptions } from '@threadline/edge';

import { buildWebApp } from './app.js';

/** Runs the web tier until SIGINT/SIGTERM (`threadline web`). */
export async function runWeb(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ name: 'web', level: config.logLevel, isPretty: config.isPrettyLog });
  const edge = config.edge;
  // THREADLINE_TLS_CERT + THREADLINE_TLS_KEY: serve HTTPS (TLS 1.2+), HSTS, secure cookies
  const https = loadHttpsOptions(edge.tls);
  const app = await buildWebApp({ config, logger, edge, ...(https ? { https } : {}) });
  await app.listen({ port: config.webPort, host: config.host });
  const scheme = https ? 'https' : 'http';
  logger.info(`web tier listening on ${scheme}://${config.host}:${config.webPort}, API at ${config.apiUrl}, WAF ${edge.waf.mode}`);
  const redirect = https && edge.tls.redirectPort !== undefined ? createRedirectServer({ httpsPort: config.webPort, publicUrl: edge.publicUrl }) : undefined;
  if (redirect) {
    await new Promise<void>((resolve, reject) => {
      redirect.once('error', reject);
      redirect.listen(edge.tls.redirectPort, config.host, resolve);
    });
    logger.info(`redirecting http://${config.host}:${edge.tls.redirectPort} to HTTPS`);
  }
  signalReady({ url: `${scheme}://${config.host}:${config.webPort}` });
  onShutdown(async () => {
    redirect?.close();
    await app.close();
  });
}
