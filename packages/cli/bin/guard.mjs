#!/usr/bin/env node
// Runs one non-Node program (Prometheus, Alertmanager…) for the launcher and makes sure it dies
// with the launcher: the launcher's IPC channel closing — even after a kill -9 — stops it, as it
// stops the Node tiers. Plain JavaScript so it starts in milliseconds. Usage: guard.mjs cmd args…
import { spawn } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: guard.mjs <command> [args…]\n');
  process.exit(2);
}
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let isStopping = false;
const stop = (signal) => {
  if (isStopping) return;
  isStopping = true;
  if (child.exitCode === null) child.kill(signal);
  setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGTERM'));
process.on('disconnect', () => stop('SIGTERM'));
child.once('error', (error) => {
  process.stderr.write(`cannot run ${command}: ${error.message}\n`);
  process.exit(127);
});
child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
