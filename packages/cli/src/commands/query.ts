import type { Command } from 'commander';

import { isLakeInputError, lakeFromConfig, MAX_QUERY_ROWS, runLakeQuery } from '@threadline/lake';

import { parseFormat, printRows, withFormat } from '../output.js';
import { loadRuntime, withPool } from '../runtime.js';

export function registerQuery(program: Command): void {
  withFormat(
    program
      .command('query')
      .description('run one read-only SELECT over the catalogued lake tables (DuckDB), e.g. threadline query "SELECT dt, count(*) FROM sales GROUP BY dt"')
      .argument('<sql>', 'a single SELECT or WITH … SELECT statement')
      .option('--limit <n>', `most rows to return (max ${MAX_QUERY_ROWS})`, '1000')
      .option('--timeout <seconds>', 'stop the query after this many seconds', '30'),
  ).action(async (sql: string, options: { limit: string; timeout: string; format?: string }) => {
    const format = parseFormat(options.format);
    const limit = Number(options.limit);
    const timeout = Number(options.timeout);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_ROWS) throw new Error(`--limit must be 1-${MAX_QUERY_ROWS}`);
    if (!Number.isFinite(timeout) || timeout <= 0) throw new Error('--timeout must be a positive number of seconds');
    const runtime = loadRuntime('query');
    await withPool(runtime, async (pool) => {
      try {
        const result = await runLakeQuery({ pool, lake: lakeFromConfig(runtime.config), sql, limit, timeoutMs: timeout * 1000 });
        printRows(result.rows, format, result.columns.map((column) => column.name));
        if (format === 'table') {
          console.error(`(${result.rowCount} row(s)${result.isTruncated ? `, cut at --limit ${limit}` : ''}, ${result.elapsedMs} ms)`);
        }
      } catch (error) {
        if (isLakeInputError(error)) throw new Error(`${error.code}: ${error.message}`);
        throw error;
      }
    });
  });
}
