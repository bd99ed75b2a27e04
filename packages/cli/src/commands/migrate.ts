import type { Command } from 'commander';

import { migrate } from '@threadline/db';

import { loadRuntime, withPool } from '../runtime.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (also done on every start)')
    .action(async () => {
      const runtime = loadRuntime('migrate');
      const result = await withPool(runtime, (pool) => migrate(pool, { log: (line) => console.log(line) }));
      console.log(`${result.applied.length} applied, ${result.alreadyApplied} already applied`);
    });
}
