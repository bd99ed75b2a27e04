import type { Command } from 'commander';

import { createPool } from '@threadline/db';
import { collectOpsStatus, resolveBackupConfig, statusRows } from '@threadline/ops';

import { parseFormat, printRows, withFormat } from '../output.js';
import { loadRuntime } from '../runtime.js';

export function registerOps(program: Command): void {
  const ops = program.command('ops').description('operations: tiers, alerts, backups at a glance');
  withFormat(
    ops
      .command('status')
      .description('show each tier (ready/down), active alerts from Prometheus, the last backup and WAL archiving; exits 1 when anything is down or firing'),
  ).action(async (options: { format: string }) => {
    const format = parseFormat(options.format);
    const runtime = loadRuntime('ops');
    const pool = createPool(runtime.databaseUrl, { max: 1, applicationName: 'threadline-ops' });
    let isBad = false;
    try {
      let backup;
      try {
        backup = resolveBackupConfig(runtime.config, runtime.secrets);
      } catch {
        backup = undefined;
      }
      const status = await collectOpsStatus({ config: runtime.config, pool, backup });
      if (format === 'json') console.log(JSON.stringify(status, null, 2));
      else printRows(statusRows(status), format);
      isBad = status.tiers.some((tier) => tier.state !== 'ready') || status.monitoring.alerts.some((alert) => alert.state === 'firing');
    } finally {
      await pool.end();
    }
    // process.exitCode is not kept through the tsx launcher: exit explicitly
    if (isBad) process.exit(1);
  });
}
