import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

import type { Command } from 'commander';

import { REPO_ROOT } from '../launcher/services.js';

const WEB_DIR = path.join(REPO_ROOT, 'apps', 'web');
const DIST_INDEX = path.join(WEB_DIR, 'dist', 'index.html');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** True when the built pages exist and are newer than every client source file. */
export function isWebBuildFresh(): boolean {
  if (!existsSync(DIST_INDEX)) return false;
  const clientDir = path.join(WEB_DIR, 'src', 'client');
  return !existsSync(clientDir) || statSync(DIST_INDEX).mtimeMs >= newestMtime(clientDir);
}

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('build the web pages (storefront and back office) with Vite into apps/web/dist')
    .action(() => {
      const vite = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
      const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: WEB_DIR, stdio: 'inherit' });
      if (result.status !== 0) throw new Error(`vite build failed (exit ${result.status ?? 'signal'})`);
      console.log('web pages built into apps/web/dist');
    });
}
