import type { Command } from 'commander';

import { loadConfig } from '@threadline/config';

import { sendControl } from '../launcher/control.js';

export function registerRestart(program: Command): void {
  program
    .command('restart')
    .description('restart a tier of the running shop: api (one replica at a time, no request dropped), web or worker')
    .argument('<tier>', 'api | web | worker')
    .action(async (tier: string) => {
      if (!['api', 'web', 'worker'].includes(tier)) throw new Error(`restart: expected api, web or worker (got "${tier}")`);
      const config = loadConfig();
      const ok = await sendControl(config.dataDir, { command: 'restart', target: tier }, (line) => process.stdout.write(`${line}\n`));
      process.exit(ok ? 0 : 1);
    });
}
