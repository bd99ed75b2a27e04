import { InvalidArgumentError, type Command } from 'commander';

import { DEFAULT_SEED_SIZES, isDemoSeedError, seedDemoData } from '@threadline/demo';

import { parseFormat, printRows } from '../output.js';
import { loadRuntime, withPool } from '../runtime.js';
import { POST_SEED_STEPS } from './seed-steps.js';

function integer(option: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${option} takes a whole number, got "${value}"`);
    return Number(value);
  };
}

interface SeedCommandOptions {
  seed?: number;
  products: number;
  customers: number;
  days: number;
  ifEmpty?: boolean;
  reset?: boolean;
  images: boolean;
  format: string;
}

export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('load deterministic demo data: clothing catalogue with images, sellers, customers, orders, payments and reviews')
    .option('--seed <n>', 'seed number; the same seed gives the same rows (default $THREADLINE_SEED or 42)', integer('--seed'))
    .option('--products <n>', 'number of products', integer('--products'), DEFAULT_SEED_SIZES.products)
    .option('--customers <n>', 'number of generated customers', integer('--customers'), DEFAULT_SEED_SIZES.customers)
    .option('--days <n>', 'days of order history, ending now', integer('--days'), DEFAULT_SEED_SIZES.days)
    .option('--if-empty', 'do nothing when demo data is already loaded or the shop has products or orders')
    .option('--reset', 'delete every shop row (users, catalogue, orders…) first, then seed')
    .option('--no-images', 'do not render product images')
    .option('--format <format>', 'summary format: table|json', 'table')
    .addHelpText('after', '\nDemo accounts (password threadline-demo): admin@demo.threadline.dev, seller@demo.threadline.dev, customer@demo.threadline.dev.\nSee docs/demo-data.md.')
    .action(async (options: SeedCommandOptions) => {
      const format = parseFormat(options.format, ['table', 'json']);
      const runtime = loadRuntime('seed');
      const { config } = runtime;
      const seed = options.seed ?? config.seed;
      const progress = (line: string): void => {
        if (format === 'table') console.log(line);
      };
      await withPool(runtime, async (pool) => {
        progress(`seed ${seed}: ${options.products} products, ${options.customers} customers, ${options.days} days`);
        const summary = await seedDemoData(pool, {
          seed,
          products: options.products,
          customers: options.customers,
          days: options.days,
          dataDir: config.dataDir,
          hasImages: options.images,
          ifEmpty: options.ifEmpty === true,
          reset: options.reset === true,
          currency: config.currency,
          onProgress: progress,
        }).catch((error: unknown) => {
          if (isDemoSeedError(error)) throw new Error(`${error.code}: ${error.message}`, { cause: error });
          throw error;
        });
        if (summary.status === 'skipped' || !summary.marker) {
          if (format === 'json') console.log(JSON.stringify(summary, null, 2));
          else console.log(`nothing to do: ${summary.reason ?? 'skipped'}`);
          return;
        }
        const marker = summary.marker;
        for (const step of POST_SEED_STEPS) {
          const started = Date.now();
          progress(`${step.name}: starting`);
          await step.run({ pool, config, secrets: runtime.secrets, seed, marker, log: (line) => progress(`${step.name}: ${line}`) });
          progress(`${step.name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        }
        if (format === 'json') {
          console.log(JSON.stringify(summary, null, 2));
        } else {
          printRows(Object.entries(marker.counts).map(([table, rows]) => ({ table, rows })), 'table');
          console.log(`content hash ${String(marker.contentHash ?? '-')}`);
          console.log('demo logins (password threadline-demo): admin@demo.threadline.dev, seller@demo.threadline.dev, customer@demo.threadline.dev');
        }
      });
    });
}
