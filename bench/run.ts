/**
 * `npm run bench [-- name…]`: runs every `bench/*.bench.ts` (or those whose name matches an
 * argument) one after another, each in its own process so they do not disturb each other.
 * Each writes `bench/results/<name>.json`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error('no benchmark matches');
  process.exit(1);
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, file)], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed += 1;
    console.error(`${file} failed (exit ${result.status ?? 'signal'})`);
  }
}
console.log(`\n${files.length - failed} benchmarks finished, ${failed} failed; results in bench/results/`);
process.exit(failed > 0 ? 1 : 0);
