import path from 'node:path';

import type { Command } from 'commander';

import { AUDIT_ACTIONS, recordAudit } from '@threadline/db';
import { ENTITIES, importLegacyFile, loadMapping, type Entity, type ImportReport, type Mapping } from '@threadline/importer';

import { parseFormat, printRows, withFormat } from '../output.js';
import { registerAccessLogImport } from './import-access-logs.js';
import { loadRuntime, withPool } from '../runtime.js';

interface LegacyOptions {
  map?: string;
  dateFormat?: string;
  timeZone?: string;
  currency?: string;
  dryRun: boolean;
  skipBadRows: boolean;
  splitMixedCustomers: boolean;
  format: string;
  showRejected: string;
}

function printReport(report: ImportReport, format: string, showRejected: number): void {
  const parsedFormat = parseFormat(format);
  if (parsedFormat === 'json') {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const verdict = report.isDryRun
    ? 'dry run: nothing written'
    : report.isCommitted
      ? 'written'
      : 'NOT written: the file has rejected rows (fix them, or pass --skip-bad-rows)';
  console.log(
    `${report.entity} from ${report.file}: ${report.rowsRead} rows read, ${report.created} created, ${report.updated} updated, ` +
      `${report.rejected.length} rows rejected — ${verdict}`,
  );
  if (report.rejected.length > 0) {
    printRows(
      report.rejected.slice(0, showRejected).map((row) => ({ row: row.row, column: row.column ?? '', reason: row.reason })),
      parsedFormat,
    );
    if (report.rejected.length > showRejected) console.log(`… and ${report.rejected.length - showRejected} more (--show-rejected N)`);
  }
  if (report.warnings.length > 0) {
    console.log(`${report.warnings.length} warnings (nothing merged silently):`);
    for (const warning of report.warnings.slice(0, showRejected)) console.log(`  ${warning.message}`);
    if (report.warnings.length > showRejected) console.log(`  … and ${report.warnings.length - showRejected} more (--format json lists all)`);
  }
}

export function registerImport(program: Command): void {
  const importCommand = program
    .command('import')
    .description('move in from the old shop: legacy products, customers, orders and reviews, and old web server logs');
  registerAccessLogImport(importCommand);

  for (const entity of ENTITIES) {
    withFormat(
      importCommand
        .command(`${entity} <files...>`)
        .description(`import legacy ${entity} from CSV or .xlsx exports (idempotent by legacy id; all-or-nothing per file)`)
        .option('--map <mapping.json>', 'column mapping file: { "columns": { field: "Header" }, "dateFormat", "timeZone", "currency", "values", "defaults" }')
        .option('--date-format <format>', 'date format of the export, e.g. dd/MM/yy, MM/dd/yyyy, iso (never guessed; default iso)')
        .option('--time-zone <zone>', 'IANA zone of dates without an offset (default: the shop time zone)')
        .option('--currency <code>', 'currency of money columns (default: the shop currency)')
        .option('--dry-run', 'validate and report, write nothing', false)
        .option('--skip-bad-rows', 'write the good rows (whole orders) even when some are rejected; every dropped row is listed', false)
        .option('--split-mixed-customers', 'orders: split an order whose lines name different customers into one order per customer (default: reject it)', false)
        .option('--show-rejected <n>', 'how many rejected rows to list', '20'),
      ['table', 'json'],
    ).action(async (files: string[], options: LegacyOptions) => {
      const runtime = loadRuntime('import');
      const mapping: Mapping = options.map ? loadMapping(options.map) : { columns: {} };
      const currency = (options.currency ?? mapping.currency ?? runtime.config.currency).toUpperCase();
      if (currency !== runtime.config.currency) {
        throw new Error(`--currency ${currency} differs from the shop currency ${runtime.config.currency}; the shop keeps one currency`);
      }
      const rules = {
        dateFormat: options.dateFormat ?? mapping.dateFormat,
        timeZone: options.timeZone ?? mapping.timeZone ?? runtime.config.shopTimeZone,
        currency,
        values: mapping.values ?? {},
        defaults: mapping.defaults ?? {},
        splitMixedCustomers: options.splitMixedCustomers,
      };
      let hasFailure = false;
      await withPool(runtime, async (pool) => {
        for (const file of files) {
          let lastShown = 0;
          const report = await importLegacyFile(pool, {
            entity: entity satisfies Entity,
            file,
            mapping,
            rules,
            isDryRun: options.dryRun,
            skipBadRows: options.skipBadRows,
            onProgress: (done, total) => {
              if (process.stderr.isTTY && (done - lastShown >= 1000 || done === total)) {
                lastShown = done;
                process.stderr.write(`\r${file}: ${done}/${total} rows`);
              }
            },
          });
          if (process.stderr.isTTY) process.stderr.write('\n');
          printReport(report, options.format, Number(options.showRejected) || 20);
          if (report.isCommitted) {
            // an operator's import changes shop data: the audit log records it (counts, never row contents)
            await recordAudit(pool, {
              action: AUDIT_ACTIONS.IMPORT_COMPLETED,
              actorType: 'system',
              target: `import:${report.entity}`,
              details: { trigger: 'cli', file: path.basename(report.file), rowsRead: report.rowsRead, created: report.created, updated: report.updated, rejected: report.rejected.length },
            });
          }
          if (!report.isCommitted && !report.isDryRun) hasFailure = true;
        }
      });
      if (hasFailure) process.exitCode = 2;
    });
  }
}
