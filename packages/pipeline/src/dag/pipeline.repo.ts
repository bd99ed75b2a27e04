import type { Pool } from '@threadline/db';

import type { RuleResult } from '../quality/index.js';

/** Everything the pipeline stores about its runs. SQL for run history lives only here. */

export type RunTrigger = 'schedule' | 'manual' | 'api' | 'backfill' | 'first_start';
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'abandoned';
export type StepStatus = 'running' | 'succeeded' | 'failed' | 'skipped';

export interface PipelineRun {
  id: number;
  trigger: RunTrigger;
  status: RunStatus;
  dates: string[];
  requestedBy: number | null;
  currentStep: string | null;
  failedStep: string | null;
  error: string | null;
  rowsIn: number;
  rowsOut: number;
  log: Array<{ at: string; step: string | null; message: string }>;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface PipelineStep {
  step: string;
  status: StepStatus;
  attempts: number;
  rowsIn: number;
  rowsOut: number;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

export interface StoredRuleResult extends RuleResult {
  phase: 'staging' | 'published';
  checkedAt: Date;
}

interface RunRow {
  id: number;
  trigger: RunTrigger;
  status: RunStatus;
  dates: string[];
  requested_by: number | null;
  current_step: string | null;
  failed_step: string | null;
  error: string | null;
  rows_in: number;
  rows_out: number;
  log: PipelineRun['log'];
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

// dates as text: a date has no time zone and must not shift through a JS Date
const RUN_COLUMNS = `id, trigger, status, dates::text[] AS dates, requested_by, current_step, failed_step, error, rows_in, rows_out,
  log, created_at, started_at, finished_at`;

function toRun(row: RunRow): PipelineRun {
  return {
    id: row.id,
    trigger: row.trigger,
    status: row.status,
    dates: row.dates,
    requestedBy: row.requested_by,
    currentStep: row.current_step,
    failedStep: row.failed_step,
    error: row.error,
    rowsIn: row.rows_in,
    rowsOut: row.rows_out,
    log: row.log,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** Queues a run for the worker (the API's "run now"); the worker picks it up within seconds. */
export async function queueRun(pool: Pool, input: { trigger: RunTrigger; dates: string[]; requestedBy?: number | null }): Promise<PipelineRun> {
  const { rows } = await pool.query<RunRow>(
    `INSERT INTO pipeline_runs (trigger, status, dates, requested_by) VALUES ($1, 'queued', $2::date[], $3) RETURNING ${RUN_COLUMNS}`,
    [input.trigger, input.dates, input.requestedBy ?? null],
  );
  const row = rows[0];
  if (!row) throw new Error('insert returned no row');
  return toRun(row);
}

/** Starts a run: either a queued one (by id) or a new row. */
export async function startRun(pool: Pool, input: { runId?: number; trigger: RunTrigger; dates: string[]; requestedBy?: number | null }): Promise<PipelineRun> {
  const { rows } =
    input.runId !== undefined
      ? await pool.query<RunRow>(
          `UPDATE pipeline_runs SET status = 'running', started_at = now(), dates = $2::date[] WHERE id = $1 AND status = 'queued' RETURNING ${RUN_COLUMNS}`,
          [input.runId, input.dates],
        )
      : await pool.query<RunRow>(
          `INSERT INTO pipeline_runs (trigger, status, dates, requested_by, started_at) VALUES ($1, 'running', $2::date[], $3, now()) RETURNING ${RUN_COLUMNS}`,
          [input.trigger, input.dates, input.requestedBy ?? null],
        );
  const row = rows[0];
  if (!row) throw new Error(`run ${input.runId ?? ''} is not queued any more`);
  return toRun(row);
}

export async function setRunDates(pool: Pool, runId: number, dates: string[]): Promise<void> {
  await pool.query('UPDATE pipeline_runs SET dates = $2::date[] WHERE id = $1', [runId, dates]);
}

/** The oldest queued run, if any. */
export async function nextQueuedRun(pool: Pool): Promise<PipelineRun | null> {
  const { rows } = await pool.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM pipeline_runs WHERE status = 'queued' ORDER BY id LIMIT 1`);
  return rows[0] ? toRun(rows[0]) : null;
}

/**
 * Runs left 'running' by a process that died: only called by the holder of the run lock, so no
 * live run can be among them.
 */
export async function abandonOrphanedRuns(pool: Pool): Promise<number> {
  const { rowCount } = await pool.query(
    `UPDATE pipeline_runs SET status = 'abandoned', finished_at = now(),
            error = coalesce(error, 'the process running it stopped before it finished')
      WHERE status = 'running'`,
  );
  await pool.query(
    `UPDATE pipeline_steps SET status = 'failed', finished_at = now(), error = coalesce(error, 'abandoned')
      WHERE status = 'running' AND run_id IN (SELECT id FROM pipeline_runs WHERE status = 'abandoned')`,
  );
  return rowCount ?? 0;
}

export async function appendRunLog(pool: Pool, runId: number, step: string | null, message: string): Promise<void> {
  await pool.query(`UPDATE pipeline_runs SET log = log || jsonb_build_array(jsonb_build_object('at', now(), 'step', $2::text, 'message', $3::text)) WHERE id = $1`, [
    runId,
    step,
    message,
  ]);
}

export async function startStep(pool: Pool, runId: number, step: string, attempt: number): Promise<void> {
  await pool.query(
    `INSERT INTO pipeline_steps (run_id, step, status, attempts) VALUES ($1, $2, 'running', $3)
     ON CONFLICT (run_id, step) DO UPDATE SET status = 'running', attempts = $3, error = NULL, started_at = now(), finished_at = NULL`,
    [runId, step, attempt],
  );
  await pool.query('UPDATE pipeline_runs SET current_step = $2 WHERE id = $1', [runId, step]);
}

export async function finishStep(
  pool: Pool,
  runId: number,
  step: string,
  outcome: { status: StepStatus; rowsIn?: number; rowsOut?: number; error?: string | null },
): Promise<void> {
  await pool.query(
    `UPDATE pipeline_steps SET status = $3, rows_in = $4, rows_out = $5, error = $6, finished_at = now() WHERE run_id = $1 AND step = $2`,
    [runId, step, outcome.status, outcome.rowsIn ?? 0, outcome.rowsOut ?? 0, outcome.error ?? null],
  );
}

export async function finishRun(
  pool: Pool,
  runId: number,
  outcome: { status: 'succeeded' | 'failed'; failedStep?: string | null; error?: string | null; rowsIn: number; rowsOut: number },
): Promise<void> {
  await pool.query(
    `UPDATE pipeline_runs SET status = $2, failed_step = $3, error = $4, rows_in = $5, rows_out = $6, current_step = NULL, finished_at = now()
      WHERE id = $1`,
    [runId, outcome.status, outcome.failedStep ?? null, outcome.error ?? null, outcome.rowsIn, outcome.rowsOut],
  );
}

export async function saveRuleResults(pool: Pool, runId: number, phase: 'staging' | 'published', results: readonly RuleResult[]): Promise<void> {
  if (results.length === 0) return;
  await pool.query(
    `INSERT INTO pipeline_quality_results (run_id, dataset, phase, rule_name, rule_type, severity, passed, observed, expected, bad_rows)
     SELECT $1, r.dataset, $2, r.rule_name, r.rule_type, r.severity, r.passed, r.observed, r.expected, r.bad_rows
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::text[], $9::text[], $10::jsonb[])
         AS r(dataset, rule_name, rule_type, severity, passed, observed, expected, bad_rows)`,
    [
      runId,
      phase,
      results.map((result) => result.dataset),
      results.map((result) => result.name),
      results.map((result) => result.type),
      results.map((result) => result.severity),
      results.map((result) => result.passed),
      results.map((result) => result.observed),
      results.map((result) => result.expected),
      results.map((result) => JSON.stringify(result.badRows)),
    ],
  );
}

export async function listRuleResults(pool: Pool, runId: number): Promise<StoredRuleResult[]> {
  const { rows } = await pool.query<{
    dataset: string;
    phase: 'staging' | 'published';
    rule_name: string;
    rule_type: RuleResult['type'];
    severity: RuleResult['severity'];
    passed: boolean;
    observed: string | null;
    expected: string;
    bad_rows: Array<Record<string, unknown>>;
    checked_at: Date;
  }>(
    `SELECT dataset, phase, rule_name, rule_type, severity, passed, observed, expected, bad_rows, checked_at
       FROM pipeline_quality_results WHERE run_id = $1 ORDER BY id`,
    [runId],
  );
  return rows.map((row) => ({
    dataset: row.dataset,
    phase: row.phase,
    name: row.rule_name,
    type: row.rule_type,
    severity: row.severity,
    passed: row.passed,
    observed: row.observed,
    expected: row.expected,
    badRows: row.bad_rows,
    checkedAt: row.checked_at,
  }));
}

export async function listRuns(pool: Pool, options: { limit?: number; status?: RunStatus } = {}): Promise<PipelineRun[]> {
  const { rows } = await pool.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM pipeline_runs WHERE ($1::text IS NULL OR status = $1) ORDER BY id DESC LIMIT $2`,
    [options.status ?? null, options.limit ?? 20],
  );
  return rows.map(toRun);
}

export async function findRun(pool: Pool, runId: number): Promise<PipelineRun | null> {
  const { rows } = await pool.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM pipeline_runs WHERE id = $1`, [runId]);
  return rows[0] ? toRun(rows[0]) : null;
}

export async function listSteps(pool: Pool, runId: number): Promise<PipelineStep[]> {
  const { rows } = await pool.query<{ step: string; status: StepStatus; attempts: number; rows_in: number; rows_out: number; error: string | null; started_at: Date; finished_at: Date | null }>(
    'SELECT step, status, attempts, rows_in, rows_out, error, started_at, finished_at FROM pipeline_steps WHERE run_id = $1 ORDER BY started_at',
    [runId],
  );
  return rows.map((row) => ({
    step: row.step,
    status: row.status,
    attempts: row.attempts,
    rowsIn: row.rows_in,
    rowsOut: row.rows_out,
    error: row.error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  }));
}

export async function readWatermark(pool: Pool, source: string): Promise<Date | null> {
  const { rows } = await pool.query<{ value: Date }>('SELECT value FROM pipeline_watermarks WHERE source = $1', [source]);
  return rows[0]?.value ?? null;
}

/** Moves a watermark forward only (a backfill of old dates never moves it back). */
export async function advanceWatermark(pool: Pool, source: string, value: Date): Promise<void> {
  await pool.query(
    `INSERT INTO pipeline_watermarks (source, value) VALUES ($1, $2)
     ON CONFLICT (source) DO UPDATE SET value = greatest(pipeline_watermarks.value, EXCLUDED.value), updated_at = now()`,
    [source, value],
  );
}
