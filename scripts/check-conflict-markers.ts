/**
 * `npm run lint` (last step): no merge-conflict markers in tracked files. A conflict resolved by
 * committing both sides (README.md in ee8cfc7) passes every other check, because Markdown, JSON
 * fixtures and YAML are not parsed by ESLint or tsc. Exit 1 with each marker's file and line.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const MARKER = '^(<<<<<<<|>>>>>>>) ';

const result = spawnSync('git', ['grep', '-n', '-I', '-E', MARKER], { cwd: ROOT, encoding: 'utf8' });
if (result.error) throw result.error;
// git grep: 0 = found, 1 = nothing found, anything else = git failed
if (result.status === 1) {
  console.log('conflict markers: none in tracked files');
} else if (result.status === 0) {
  console.error(`merge-conflict markers in tracked files:\n${result.stdout}`);
  process.exitCode = 1;
} else {
  console.error(`git grep failed (${result.status}): ${result.stderr}`);
  process.exitCode = 2;
}
