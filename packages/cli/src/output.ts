import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';

export const OUTPUT_FORMATS = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Adds the `--format table|json|csv` option every listing command takes. */
export function withFormat(command: Command, formats: readonly OutputFormat[] = OUTPUT_FORMATS): Command {
  return command.option('--format <format>', `output format: ${formats.join('|')}`, 'table');
}

/** Narrows the --format option value, naming the allowed values when it is wrong. */
export function parseFormat(value: unknown, formats: readonly OutputFormat[] = OUTPUT_FORMATS): OutputFormat {
  const found = formats.find((format) => format === value);
  if (!found) throw new Error(`--format must be one of ${formats.join(', ')} (got "${String(value)}")`);
  return found;
}

type Row = Record<string, unknown>;

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Numbers stay numbers in CSV (a negative amount is not a formula); everything else is text. */
function csvValue(value: unknown): string | number {
  return typeof value === 'number' ? value : cellText(value);
}

/** Renders rows as an aligned text table. */
export function formatTable(rows: readonly Row[], columns: readonly string[] = Object.keys(rows[0] ?? {})): string {
  if (rows.length === 0) return '(no rows)';
  const cells = rows.map((row) => columns.map((column) => cellText(row[column])));
  const widths = columns.map((column, index) => Math.max(column.length, ...cells.map((line) => (line[index] ?? '').length)));
  const render = (line: readonly string[]): string =>
    line.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ').trimEnd();
  return [render(columns), render(widths.map((width) => '-'.repeat(width))), ...cells.map(render)].join('\n');
}

/**
 * Renders rows as RFC 4180 CSV with a header line. Text cells starting with `=`, `+`, `-`, `@`,
 * tab or CR get a leading `'` (OWASP CSV injection) so a spreadsheet shows them instead of
 * running them as formulas; shop data (product names, reviews, e-mails) is typed by anyone.
 */
export function formatCsv(rows: readonly Row[], columns: readonly string[] = Object.keys(rows[0] ?? {})): string {
  const records = rows.map((row) => columns.map((column) => csvValue(row[column])));
  return stringify([[...columns], ...records], { escape_formulas: true }).trimEnd();
}

/**
 * Prints rows in the chosen format.
 *
 * @example
 * printRows(rows, parseFormat(options.format));
 */
export function printRows(rows: readonly Row[], format: OutputFormat, columns?: readonly string[]): void {
  if (format === 'json') console.log(JSON.stringify(rows, null, 2));
  else if (format === 'csv') console.log(formatCsv(rows, columns));
  else console.log(formatTable(rows, columns));
}
