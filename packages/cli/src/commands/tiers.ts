import type { Command } from 'commander';

export function registerTiers(program: Command): void {
  program
    .command('api')
    .description('run the application tier (HTTP API) alone; needs the database (DATABASE_URL or `threadline db`)')
    .action(async () => {
      const { runApi } = await import('@threadline/api');
      await runApi();
    });
  program
    .command('web')
    .description('run the web tier alone; forwards /api and /collect to THREADLINE_API_URL')
    .action(async () => {
      const { runWeb } = await import('@threadline/web');
      await runWeb();
    });
  program
    .command('worker')
    .description('run the worker alone: scheduler, spool flusher, nightly pipeline')
    .action(async () => {
      const { runWorker } = await import('@threadline/worker');
      await runWorker();
    });
}
