import { Type } from '@sinclair/typebox';
import { stringify } from 'csv-stringify/sync';

import { lakeFromConfig, MAX_QUERY_ROWS, MAX_QUERY_TIMEOUT_MS, runLakeQuery } from '@threadline/lake';

import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { requireRole } from '../auth/session.js';
import { errors } from '../http/common.schemas.js';

const QueryBody = Type.Object(
  {
    sql: Type.String({ minLength: 1, maxLength: 20_000 }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_QUERY_ROWS, default: 1000 })),
    // under the web tier's 30 s upstream timeout: a slow query answers 4xx QUERY_TIMEOUT, never 502
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: MAX_QUERY_TIMEOUT_MS, default: 20_000 })),
  },
  { additionalProperties: false },
);

const QueryResponse = Type.Object({
  columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String() })),
  rows: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  rowCount: Type.Integer(),
  isTruncated: Type.Boolean(),
  elapsedMs: Type.Integer(),
});

/** Numbers stay numbers (a negative amount is not a formula); everything else is text. */
function csvValue(value: unknown): string | number {
  if (typeof value === 'number') return value;
  return value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** SQL over the lake for admins (the Athena part): read-only, limited, timed out. */
export async function queryRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  // a refused query is a LakeInputError with a kind; the error handler answers with its status
  const run = (body: { sql: string; limit?: number; timeoutMs?: number }) =>
    runLakeQuery({ pool: context.pool, lake: lakeFromConfig(context.config), sql: body.sql, limit: body.limit, timeoutMs: body.timeoutMs });

  app.post(
    '/api/admin/query',
    {
      config: { leavesCatalog: true },
      preValidation: requireRole('admin'),
      schema: {
        tags: ['pipeline'],
        summary: 'Run one read-only SELECT over the catalogued lake tables (limit, timeout; writes, file access and extensions refused)',
        body: QueryBody,
        response: { 200: QueryResponse, ...errors(400, 401, 403, 422) },
      },
    },
    async (request) => run(request.body),
  );

  app.post(
    '/api/admin/query/csv',
    {
      config: { leavesCatalog: true },
      preValidation: requireRole('admin'),
      schema: {
        tags: ['pipeline'],
        summary: 'The same query, answered as CSV (header x-truncated says whether the row limit cut it)',
        body: QueryBody,
        response: { 200: Type.String(), ...errors(400, 401, 403, 422) },
      },
    },
    async (request, reply) => {
      const result = await run(request.body);
      const names = result.columns.map((column) => column.name);
      // lake text comes from customers (reviews, searches): cells that a spreadsheet would run as
      // formulas (=, +, -, @, tab, CR) get a leading ' as OWASP recommends for CSV injection
      const csv = stringify([names, ...result.rows.map((row) => names.map((name) => csvValue(row[name])))], { escape_formulas: true });
      return reply.type('text/csv; charset=utf-8').header('x-truncated', String(result.isTruncated)).send(csv);
    },
  );
}
