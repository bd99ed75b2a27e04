import { spawnSync } from 'node:child_process';

/** Path of a program on PATH, or null. */
export function whichBinary(names: readonly string[]): string | null {
  for (const name of names) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  }
  return null;
}

/** Prometheus and Alertmanager binaries (Debian names them prometheus and prometheus-alertmanager). */
export function findAlertingBinaries(): { prometheus: string | null; alertmanager: string | null } {
  return {
    prometheus: whichBinary(['prometheus']),
    alertmanager: whichBinary(['prometheus-alertmanager', 'alertmanager']),
  };
}
