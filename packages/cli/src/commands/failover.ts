import type { Command } from 'commander';

import { loadConfig } from '@threadline/config';

import { DRILL_TARGETS, runFailoverDrill, type DrillReport, type DrillTarget } from '../failover/drill.js';
import { parseFormat, withFormat } from '../output.js';

function parseTarget(value: string): DrillTarget {
  const found = DRILL_TARGETS.find((target) => target === value);
  if (!found) throw new Error(`--kill must be one of ${DRILL_TARGETS.join(', ')} (got "${value}")`);
  return found;
}

function describe(report: DrillReport): string {
  const lines = [
    `failover drill: killed ${report.killed}`,
    `  requests: ${report.requests}, failed: ${report.failed.total} (idempotent ${report.failed.idempotent}, other ${report.failed.other})`,
    ...report.failed.byRoute.map((group) => `    ${group.count} × ${group.method} ${group.route} → ${group.status === 0 ? 'no answer' : group.status}`),
    `  paid orders: ${report.paidOrders}, lost: ${report.lostPaidOrders}`,
    ...report.lost.map((order) => `    order ${order.id}: ${order.status ?? `not found (HTTP ${order.httpStatus === 0 ? 'no answer' : order.httpStatus})`}`),
    `  time to recover: ${report.recoverySeconds === null ? 'not recovered' : `${report.recoverySeconds} s`}`,
    ...(report.database
      ? [`  database: timeline ${report.database.before.timeline} → ${report.database.after?.timeline ?? '?'}, failovers ${report.database.before.failovers} → ${report.database.after?.failovers ?? '?'} (standby ${report.database.after?.standby ?? 'unknown'})`]
      : []),
    `  ${report.ok ? 'PASS' : 'FAIL'}`,
  ];
  return lines.join('\n');
}

export function registerFailover(program: Command): void {
  const failover = program.command('failover').description('failover drills against the running shop');
  withFormat(
    failover
      .command('drill')
      .description('kill an API replica or the PostgreSQL primary under a checkout load; report failed requests, lost paid orders and time to recover')
      .option('--kill <target>', `what to kill: ${DRILL_TARGETS.join(' | ')}`, 'api')
      .option('--url <url>', 'the shop (web tier) URL; default http://127.0.0.1:$PORT')
      .option('--shoppers <n>', 'concurrent shoppers', '3')
      .option('--email <email>', 'customer account the shoppers sign in as', 'customer@demo.threadline.dev')
      .option('--password <password>', 'its password', 'threadline-demo'),
    ['table', 'json'],
  ).action(async (options: { kill: string; url?: string; shoppers: string; email: string; password: string; format: string }) => {
    const format = parseFormat(options.format, ['table', 'json']);
    const config = loadConfig();
    const shoppers = Number(options.shoppers);
    if (!Number.isInteger(shoppers) || shoppers < 1 || shoppers > 20) throw new Error('--shoppers must be a whole number 1-20');
    const report = await runFailoverDrill({
      dataDir: config.dataDir,
      baseUrl: options.url ?? `http://127.0.0.1:${config.webPort}`,
      target: parseTarget(options.kill),
      shoppers,
      email: options.email,
      password: options.password,
      log: format === 'table' ? (line) => process.stdout.write(`${line}\n`) : undefined,
    });
    process.stdout.write(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${describe(report)}\n`);
    process.exit(report.ok ? 0 : 1);
  });
}
