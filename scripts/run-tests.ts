/**
 * `npm test`: finds every `*.test.ts` beside the code, starts one throwaway PostgreSQL 15 cluster
 * for the whole run (each test file creates its own database in it), and runs the files with
 * node's test runner. Arguments narrow the run: `npm test -- packages/db apps/api/src/orders`.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

import { startTestCluster, TEST_PG_ENV } from '@threadline/db/testing';

const ROOTS = ['apps', 'packages', 'infra', 'deploy', 'bench', 'scripts'];
const SKIP = new Set(['node_modules', 'dist', 'cdk.out', 'var', 'test-artifacts']);

function findTests(dir: string, found: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (SKIP.has(entry)) continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) findTests(full, found);
    else if (/\.test\.tsx?$/.test(entry)) found.push(full);
  }
}

const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const passThrough = process.argv.slice(2).filter((arg) => arg.startsWith('-'));
const all: string[] = [];
for (const root of ROOTS) findTests(root, all);
const files = all.sort().filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)));
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}

console.log(`starting a throwaway PostgreSQL 15 cluster for ${files.length} test files…`);
const cluster = await startTestCluster();
let code = 1;
try {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      `--test-concurrency=${process.env.THREADLINE_TEST_CONCURRENCY ?? '2'}`,
      '--test-timeout=600000',
      ...passThrough,
      ...files,
    ],
    { stdio: 'inherit', env: { ...process.env, [TEST_PG_ENV]: cluster.adminUrl, NODE_ENV: 'test' } },
  );
  const stop = (): void => void child.kill('SIGINT');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  code = await new Promise<number>((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 1)));
} finally {
  await cluster.destroy();
}
process.exit(code);
