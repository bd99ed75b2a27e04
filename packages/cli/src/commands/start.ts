import { existsSync } from 'node:fs';

import type { Command } from 'commander';

import { migrate } from '@threadline/db';

import { loadRuntime, withPool } from '../runtime.js';
import { isWebBuildFresh } from './build.js';
import { CLI_BIN, companionServices, tierServices } from '../launcher/services.js';
import { Supervisor } from '../launcher/supervisor.js';

async function isSeeded(runtime: ReturnType<typeof loadRuntime>): Promise<boolean> {
  return withPool(runtime, async (pool) => {
    const { rowCount } = await pool.query(`SELECT 1 FROM app_meta WHERE key = 'seed'`);
    return (rowCount ?? 0) > 0;
  });
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('start the whole system: database, API, web tier and worker (first start seeds demo data)')
    .option('--no-seed', 'do not load demo data on first start')
    .action(async (options: { seed: boolean }) => {
      const startedAt = Date.now();
      const runtime = loadRuntime('start');
      const { config } = runtime;
      const isTty = Boolean(process.stdout.isTTY);
      const childEnv: Record<string, string> = {
        THREADLINE_DATA_DIR: config.dataDir,
        PORT: String(config.webPort),
        ...(isTty ? { THREADLINE_LOG_FORMAT: 'pretty' } : {}),
      };
      const tiers = tierServices(config, childEnv);
      const companions = companionServices(config, childEnv);
      const supervisor = new Supervisor(
        (line) => process.stdout.write(`${line}\n`),
        ['db', 'seed', 'build', ...tiers.map((t) => t.name), ...companions.services.map((s) => s.name)],
        isTty,
      );
      let isShuttingDown = false;
      const shutdown = async (signal: string): Promise<void> => {
        if (isShuttingDown) return;
        isShuttingDown = true;
        supervisor.log('start', `${signal}: stopping every process…`);
        await supervisor.stopAll();
        supervisor.log('start', 'all processes stopped');
        process.exit(0);
      };
      process.on('SIGINT', () => void shutdown('SIGINT'));
      process.on('SIGTERM', () => void shutdown('SIGTERM'));

      try {
        if (!config.databaseUrl) {
          await supervisor.start({ name: 'db', command: process.execPath, args: [CLI_BIN, 'db'], env: childEnv });
        }
        await withPool(runtime, (pool) => migrate(pool, { log: (line) => supervisor.log('start', line) }));
        if (options.seed && config.isDemo && !(await isSeeded(runtime))) {
          supervisor.log('start', 'first start: loading demo data (threadline seed)…');
          await supervisor.run({ name: 'seed', command: process.execPath, args: [CLI_BIN, 'seed', '--if-empty'], env: childEnv });
        }
        if (!isWebBuildFresh()) {
          supervisor.log('start', 'building the web pages (first start only)…');
          await supervisor.run({ name: 'build', command: process.execPath, args: [CLI_BIN, 'build'], env: childEnv });
        }
        await Promise.all(tiers.map((spec) => supervisor.start(spec)));
        for (const spec of companions.services) {
          await supervisor.start(spec).catch((error: unknown) => supervisor.log(spec.name, `not started: ${String(error)}`));
        }
      } catch (error) {
        supervisor.log('start', `failed: ${error instanceof Error ? error.message : String(error)}`);
        await supervisor.stopAll();
        process.exit(1);
      }
      for (const note of companions.notes) supervisor.log('start', note);
      const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
      const lines = [
        '',
        `Threadline is ready in ${seconds} s: http://localhost:${config.webPort}/`,
        `  back office: http://localhost:${config.webPort}/admin`,
      ];
      if (config.isDemo) {
        lines.push(
          '  demo logins (password threadline-demo):',
          '    admin@demo.threadline.dev     seller@demo.threadline.dev     customer@demo.threadline.dev',
        );
      }
      lines.push(`  data: ${config.dataDir}${existsSync(config.dataDir) ? '' : ' (missing!)'}`, '  Ctrl-C stops every process.', '');
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
