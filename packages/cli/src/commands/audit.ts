import type { Command } from 'commander';

import { AUDIT_PAGE_MAX, listAudit, type AuditFilter } from '@threadline/db';

import { parseFormat, printRows, withFormat } from '../output.js';
import { loadRuntime, withPool } from '../runtime.js';

function parseCount(value: string | undefined, option: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > max) throw new Error(`${option} must be a whole number 1-${max} (got "${value}")`);
  return count;
}

function parseTime(value: string | undefined, option: string): Date | undefined {
  if (value === undefined) return undefined;
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new Error(`${option} must be a date or ISO 8601 time, e.g. 2026-11-25 or 2026-11-25T08:00:00Z (got "${value}")`);
  return time;
}

/** Reads the options of `audit list` into a filter, naming the option at fault. */
export function auditFilterFromOptions(options: Record<string, string | undefined>): AuditFilter {
  if (options.action !== undefined && !/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/.test(options.action)) {
    throw new Error(`--action must look like area.verb, e.g. auth.login_failed (got "${options.action}")`);
  }
  return {
    action: options.action,
    area: options.area,
    actorId: parseCount(options.actor, '--actor', Number.MAX_SAFE_INTEGER),
    target: options.target,
    since: parseTime(options.since, '--since'),
    until: parseTime(options.until, '--until'),
    before: parseCount(options.before, '--before', Number.MAX_SAFE_INTEGER),
    limit: parseCount(options.limit, '--limit', AUDIT_PAGE_MAX) ?? 50,
  };
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the audit log: sign-ins, failed sign-ins, role changes, publishing, order changes, refunds, exports, backups (read-only)');
  withFormat(
    audit
      .command('list')
      .description('audit entries, newest first')
      .option('--action <action>', 'only this action, e.g. auth.login_failed, order.refunded')
      .option('--area <area>', 'only actions of this area, e.g. order, auth, backup')
      .option('--actor <userId>', 'only entries by this user id')
      .option('--target <kind:id>', 'only entries about this target, e.g. order:123')
      .option('--since <time>', 'from this time (ISO 8601 or a date)')
      .option('--until <time>', 'before this time')
      .option('--before <id>', 'entries older than this id (paging: the last id of the previous page)')
      .option('--limit <n>', `how many (1-${AUDIT_PAGE_MAX})`, '50'),
  ).action(async (options: Record<string, string | undefined>) => {
    const format = parseFormat(options.format);
    const filter = auditFilterFromOptions(options);
    const runtime = loadRuntime('audit');
    await withPool(runtime, async (pool) => {
      const page = await listAudit(pool, filter);
      printRows(
        page.entries.map((entry) => ({
          id: entry.id,
          at: entry.at,
          action: entry.action,
          actor: entry.actorType === 'system' ? 'system' : (entry.actorId ?? ''),
          ip: entry.ip,
          target: entry.target,
          details: entry.details,
        })),
        format,
        ['id', 'at', 'action', 'actor', 'ip', 'target', 'details'],
      );
      if (format === 'table' && page.nextBefore !== null) console.error(`more: --before ${page.nextBefore}`);
    });
  });
}
