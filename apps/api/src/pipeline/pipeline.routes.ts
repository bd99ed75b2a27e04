import { Type } from '@sinclair/typebox';

import { AUDIT_ACTIONS } from '@threadline/db';
import { dateRange, isIsoDate } from '@threadline/domain';
import { findCatalogTable, listCatalogPartitions, listCatalogTables, listSchemaChanges } from '@threadline/lake';
import { findRun, listRuleResults, listRuns, listSteps, queueRun, type PipelineRun } from '@threadline/pipeline';

import type { ApiApp } from '../api-app.js';
import { auditRequest } from '../audit/audit.js';
import type { ApiContext } from '../context.js';
import { currentUser, requireRole } from '../auth/session.js';
import { AppError, notFound } from '../errors.js';
import { errors, IdParams } from '../http/common.schemas.js';
import { describeDataHealth } from './data-health.js';

const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

const RunResponse = Type.Object({
  id: Type.Integer(),
  trigger: Type.String(),
  status: Type.String(),
  dates: Type.Array(Type.String()),
  currentStep: Type.Union([Type.String(), Type.Null()]),
  failedStep: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  rowsIn: Type.Integer(),
  rowsOut: Type.Integer(),
  createdAt: Type.String(),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});

function presentRun(run: PipelineRun) {
  return {
    id: run.id,
    trigger: run.trigger,
    status: run.status,
    dates: run.dates,
    currentStep: run.currentStep,
    failedStep: run.failedStep,
    error: run.error,
    rowsIn: run.rowsIn,
    rowsOut: run.rowsOut,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

/** Pipeline status, history, "run now" (queued for the worker) and the catalog, for admins. */
export async function pipelineRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  const { pool } = context;
  const adminOnly = requireRole('admin');

  app.get(
    '/api/admin/pipeline/runs',
    {
      preValidation: adminOnly,
      schema: {
        tags: ['pipeline'],
        summary: 'Pipeline run history, newest first',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(RunResponse) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => ({ items: (await listRuns(pool, { limit: request.query.limit ?? 20 })).map(presentRun) }),
  );

  app.get(
    '/api/admin/pipeline/runs/:id',
    {
      preValidation: adminOnly,
      schema: {
        tags: ['pipeline'],
        summary: 'One run with its steps, log and data-quality results (with sample bad rows)',
        params: IdParams,
        response: { 200: Type.Object({ run: RunResponse, steps: Type.Array(Type.Unknown()), log: Type.Array(Type.Unknown()), quality: Type.Array(Type.Unknown()) }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const run = await findRun(pool, request.params.id);
      if (!run) throw notFound('pipeline run', 'id');
      return { run: presentRun(run), steps: await listSteps(pool, run.id), log: run.log, quality: await listRuleResults(pool, run.id) };
    },
  );

  app.get(
    '/api/admin/pipeline/status',
    {
      preValidation: adminOnly,
      schema: {
        tags: ['pipeline'],
        summary: 'The latest run with its steps and quality results',
        response: { 200: Type.Object({ run: Type.Union([RunResponse, Type.Null()]), steps: Type.Array(Type.Unknown()), quality: Type.Array(Type.Unknown()) }), ...errors(401, 403) },
      },
    },
    async () => {
      const [run] = await listRuns(pool, { limit: 1 });
      if (!run) return { run: null, steps: [], quality: [] };
      return { run: presentRun(run), steps: await listSteps(pool, run.id), quality: await listRuleResults(pool, run.id) };
    },
  );

  app.post(
    '/api/admin/pipeline/runs',
    {
      config: { leavesCatalog: true },
      preValidation: adminOnly,
      schema: {
        tags: ['pipeline'],
        summary: 'Run now: queue a run (incremental, one date, or a backfill range); the worker starts it within seconds',
        body: Type.Object({ date: Type.Optional(DateString), from: Type.Optional(DateString), to: Type.Optional(DateString) }, { additionalProperties: false }),
        response: { 202: RunResponse, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const { date, from, to } = request.body;
      let dates: string[] = [];
      if (date) {
        if (!isIsoDate(date)) throw new AppError('VALIDATION_FAILED', 'date is not a calendar date', 'date');
        dates = [date];
      }
      if (from || to) {
        if (!from || !to) throw new AppError('VALIDATION_FAILED', 'from and to go together', from ? 'to' : 'from');
        if (date) throw new AppError('VALIDATION_FAILED', 'use either date or from/to', 'date');
        if (!isIsoDate(from) || !isIsoDate(to)) throw new AppError('VALIDATION_FAILED', 'from/to must be calendar dates', !isIsoDate(from) ? 'from' : 'to');
        if (from > to) throw new AppError('VALIDATION_FAILED', 'from must not be after to', 'from');
        dates = dateRange(from, to);
        if (dates.length > 3660) throw new AppError('VALIDATION_FAILED', 'a backfill covers at most 10 years', 'from');
      }
      const pending = await listRuns(pool, { status: 'queued', limit: 1 });
      if (pending.length > 0) throw new AppError('PIPELINE_BUSY', `run #${pending[0]?.id} is already queued`);
      const run = await queueRun(pool, { trigger: from ? 'backfill' : 'api', dates, requestedBy: currentUser(request).id });
      await auditRequest(pool, request, { action: AUDIT_ACTIONS.PIPELINE_RUN_STARTED, target: `pipeline_run:${run.id}`, details: { trigger: from ? 'backfill' : 'api', dates: dates.length } });
      return reply.status(202).send(presentRun(run));
    },
  );

  app.get(
    '/api/admin/catalog/tables',
    {
      preValidation: adminOnly,
      schema: { tags: ['pipeline'], summary: 'Catalogued lake tables', response: { 200: Type.Object({ items: Type.Array(Type.Unknown()) }), ...errors(401, 403) } },
    },
    async () => ({ items: await listCatalogTables(pool) }),
  );

  app.get(
    '/api/admin/catalog/tables/:name',
    {
      preValidation: adminOnly,
      schema: {
        tags: ['pipeline'],
        summary: 'One catalogued table: columns, partitions, row counts',
        params: Type.Object({ name: Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$' }) }),
        response: { 200: Type.Unknown(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const table = await findCatalogTable(pool, request.params.name);
      if (!table) throw notFound('lake table', 'name');
      const [partitions, schemaChanges] = await Promise.all([listCatalogPartitions(pool, table.name, 200), listSchemaChanges(pool, table.name)]);
      return { ...table, partitions, schemaChanges };
    },
  );

  app.get(
    '/api/insights/pipeline',
    {
      preValidation: requireRole('admin', 'marketing'),
      schema: {
        tags: ['pipeline', 'insights'],
        summary: "Why the dashboards' data is missing or stale: the latest run, its failure and the last successful publish",
        response: {
          200: Type.Object({
            state: Type.Union([Type.Literal('ok'), Type.Literal('never_run'), Type.Literal('running'), Type.Literal('failed'), Type.Literal('stale')]),
            message: Type.Union([Type.String(), Type.Null()]),
            lastRunId: Type.Union([Type.Integer(), Type.Null()]),
            lastSuccessAt: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(401, 403),
        },
      },
    },
    async () => {
      const [[latest], [lastSuccess]] = await Promise.all([listRuns(pool, { limit: 1 }), listRuns(pool, { status: 'succeeded', limit: 1 })]);
      const failedRules = latest?.status === 'failed' ? (await listRuleResults(pool, latest.id)).filter((rule) => !rule.passed && rule.severity === 'error') : [];
      return describeDataHealth({ latest: latest ?? null, lastSuccess: lastSuccess ?? null, failedRules, now: new Date() });
    },
  );
}
