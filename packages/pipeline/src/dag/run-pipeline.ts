import { rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import type { Logger } from '@threadline/config';
import type { Pool } from '@threadline/db';
import { addDays, dateInZone } from '@threadline/domain';
import { crawlLake, curatedDatasetGlob, lakeRoot, LakeMirror, runStagingDir, ZONE_DIRS } from '@threadline/lake';
import { notifySlack } from '@threadline/ops';

import { CURATED_DATASETS, DATASET_RULES, extractShop, findAllDates, findChangedDates, type CuratedDataset, type ExtractResult, type ExtractStage } from '../extract/index.js';
import { finishPublish, isPublishPending, publishPartitions, recoverPublishes, undoPublish, uploadPublished, type PublishFault, type PublishJournal } from '../publish/publish.js';
import { diffPartitionFiles, recordPartitionFiles, type PartitionFiles, type PartitionFolder } from '../publish/file-identity.js';
import { isGatePassed, runQualityGate, type GateDataset, type QualityRule, type RuleResult } from '../quality/index.js';
import { INSIGHT_REFRESHERS, type InsightRefresher } from './insight-refreshers.js';
import { failureNotice, successNotice } from './pipeline-notices.js';
import * as repo from './pipeline.repo.js';
import type { PipelineSettings } from './pipeline-settings.js';
import { tryAcquireRunLock } from './run-lock.js';

export interface PipelineDeps {
  pool: Pool;
  dataDir: string;
  /**
   * The lake to read and publish to (`lakeFromConfig(config)`: local or S3). Default: the local
   * lake under `dataDir`. On S3 the run works in the mirror's local cache and uploads what it publishes.
   */
  lake?: LakeMirror;
  timeZone: string;
  pseudonymKey: string;
  slackWebhookUrl: string | undefined;
  logger: Logger;
  settings: PipelineSettings;
  /** Progress lines for a terminal (the CLI prints them). */
  onProgress?: (line: string) => void;
  refreshers?: readonly InsightRefresher[];
  /** Rules per dataset; defaults to DATASET_RULES (tests and operators may tighten them). */
  rules?: Partial<Record<CuratedDataset, QualityRule[]>>;
  /** Tests only: fail a publish rename to simulate a crash. */
  publishFault?: PublishFault;
  /** Tests only: the current time. */
  now?: () => Date;
}

export interface RunRequest {
  trigger: repo.RunTrigger;
  /** Partition dates to rebuild; empty/undefined = decided by the watermark. */
  dates?: string[];
  requestedBy?: number | null;
  /** Start this queued run instead of creating one. */
  runId?: number;
}

export interface RunSummary {
  runId: number;
  status: 'succeeded' | 'failed';
  dates: string[];
  failedStep: string | null;
  error: string | null;
  rowsIn: number;
  rowsOut: number;
  qualityResults: RuleResult[];
  /** Where the extract step's time went (empty when it did not finish). */
  extractStages: ExtractStage[];
  /** Who wrote the extract files (`server`: the database server itself; absent when the step did not finish). */
  extractCopyTarget?: ExtractResult['copyTarget'];
}

/** Another run holds the lock. */
export class PipelineBusyError extends Error {
  readonly code = 'PIPELINE_BUSY';
  readonly kind = 'conflict';
  constructor() {
    super('another pipeline run is in progress; wait for it (threadline pipeline status) and try again');
  }
}

/** A failure that retrying cannot fix (bad data, not a flaky connection). */
class FinalStepError extends Error {}

class StepTimeoutError extends Error {}

/** What the steps hand to each other. */
interface RunState {
  runId: number;
  dates: string[];
  stagingDir: string;
  /** Local folder laid out like the lake: the lake itself, or the S3 lake's read cache. */
  lakeDir: string;
  lake: LakeMirror;
  extract?: ExtractResult;
  journal?: PublishJournal;
  /** The staged Parquet files the quality gate passed, recorded before it read them. */
  gatedFiles?: PartitionFiles;
  results: RuleResult[];
}

interface StepDefinition {
  name: string;
  dependsOn: string[];
  run(state: RunState, deps: PipelineDeps): Promise<{ rowsIn?: number; rowsOut?: number; message: string }>;
}

const WATERMARK_SOURCE = 'shop';

function gateDatasets(state: RunState, deps: PipelineDeps): GateDataset[] {
  return (state.extract?.datasets ?? []).map((item) => ({
    dataset: item.dataset,
    // staging holds only this run's partitions: one glob per dataset
    globs: [path.join(state.stagingDir, item.dataset, '*', '*.parquet')],
    rules: deps.rules?.[item.dataset] ?? DATASET_RULES[item.dataset],
  }));
}

/** The run's partition folders, staged or published, each keyed `<dataset>/<partition>`. */
function partitionFolders(state: RunState, where: 'staging' | 'published'): PartitionFolder[] {
  return (state.extract?.datasets ?? []).flatMap((item) =>
    item.partitions.map((partition) => ({
      key: `${item.dataset}/${partition}`,
      dir: where === 'staging' ? path.join(state.stagingDir, item.dataset, partition) : path.join(state.lakeDir, ZONE_DIRS.curated, item.dataset, partition),
    })),
  );
}

function failedRules(results: readonly RuleResult[]): RuleResult[] {
  return results.filter((result) => !result.passed && result.severity === 'error');
}

function describeFailures(results: readonly RuleResult[]): string {
  const failed = failedRules(results);
  return `${failed.length} quality rule(s) failed: ${failed
    .slice(0, 3)
    .map((rule) => `${rule.dataset}.${rule.name} observed ${rule.observed ?? 'null'}`)
    .join('; ')}`;
}

/**
 * The workflow, declared as a DAG (the Glue Workflow part): each step names the steps it needs;
 * a step starts only after all of them succeeded. Steps are idempotent, so a retry is safe.
 */
export const PIPELINE_DAG: StepDefinition[] = [
  {
    name: 'extract',
    dependsOn: [],
    async run(state, deps) {
      // the inputs besides PostgreSQL: the raw clickstream (product views) and the curated
      // partitions the quality gate compares with; on S3 only changed objects are downloaded
      for (const prefix of [`${ZONE_DIRS.raw}/clickstream/`, `${ZONE_DIRS.curated}/`]) {
        await state.lake.sync(prefix, { onDownload: (count) => count > 0 && deps.onProgress?.(`extract: ${count} file(s) of ${prefix} fetched from the lake`) });
      }
      state.extract = await extractShop({
        pool: deps.pool,
        lakeDir: state.lakeDir,
        stagingDir: state.stagingDir,
        dates: state.dates,
        timeZone: deps.timeZone,
        pseudonymKey: deps.pseudonymKey,
        onProgress: (line) => deps.onProgress?.(`extract: ${line}`),
      });
      const sets = state.extract.datasets.map((item) => `${item.dataset} ${item.rows}`).join(', ');
      // the slowest parts of the step, so `pipeline status` shows where a slow night went
      const slowest = [...state.extract.stages]
        .sort((a, b) => b.seconds - a.seconds)
        .slice(0, 4)
        .map((stage) => `${stage.name} ${stage.seconds.toFixed(2)} s`)
        .join(', ');
      return { rowsIn: state.extract.rowsIn, rowsOut: state.extract.rowsOut, message: `staged ${sets}; files ${state.extract.copyTarget === 'server' ? 'written by the database server' : 'streamed from the database'}; slowest: ${slowest}` };
    },
  },
  {
    name: 'quality',
    dependsOn: ['extract'],
    async run(state, deps) {
      // recorded before the gate reads them: verify proves the published files are these very files
      state.gatedFiles = await recordPartitionFiles(partitionFolders(state, 'staging'));
      const results = await runQualityGate({
        datasets: gateDatasets(state, deps),
        references: Object.fromEntries(CURATED_DATASETS.map((name) => [name, [curatedDatasetGlob(path.join(state.lakeDir, ZONE_DIRS.curated, name))]])),
        asOf: deps.now?.() ?? new Date(),
      });
      state.results.push(...results);
      await repo.saveRuleResults(deps.pool, state.runId, 'staging', results);
      if (!isGatePassed(results)) throw new FinalStepError(`${describeFailures(results)}; nothing was published`);
      return { rowsIn: state.extract?.rowsOut ?? 0, message: `${results.length} rules checked on staging, ${results.filter((r) => !r.passed).length} warning(s)` };
    },
  },
  {
    name: 'publish',
    dependsOn: ['quality'],
    async run(state, deps) {
      // a dataset converted from day partitions is swapped whole (its `dt=` folders retire with
      // the months moving in, in one rename each way); otherwise each staged partition is swapped
      const items = (state.extract?.datasets ?? []).flatMap((item) =>
        item.replacesDataset
          ? [{ dataset: item.dataset, partition: '', stagedDir: path.join(state.stagingDir, item.dataset) }]
          : item.partitions.map((partition) => ({ dataset: item.dataset, partition, stagedDir: path.join(state.stagingDir, item.dataset, partition) })),
      );
      state.journal = await publishPartitions(state.lakeDir, `run-${state.runId}`, items, { fault: deps.publishFault });
      const uploaded = await uploadPublished(state.lake, state.journal);
      const where = state.lake.isRemote ? ` and ${uploaded} file(s) uploaded to the lake's storage` : '';
      return { rowsOut: state.extract?.rowsOut ?? 0, message: `${items.length} partition(s) swapped into curated/${where}` };
    },
  },
  {
    name: 'verify',
    dependsOn: ['publish'],
    async run(state, deps) {
      const journal = state.journal;
      if (!journal) throw new FinalStepError('nothing was published');
      const gated = state.gatedFiles;
      if (!gated) throw new FinalStepError('the quality gate recorded no files');
      // The rules are not run a second time: a partition is published by renaming its folder, so
      // its files keep their inode, size and times. When every published Parquet file is the very
      // file the gate read (none missing, added, replaced or written to since), the gate's results
      // hold for the published data byte for byte; any difference puts the old partitions back.
      const published = await recordPartitionFiles(partitionFolders(state, 'published'));
      const differences = diffPartitionFiles(gated, published);
      if (differences.length > 0) {
        await undoPublish(state.lakeDir, journal);
        await uploadPublished(state.lake, journal);
        const shown = differences.slice(0, 3).join('; ');
        throw new FinalStepError(
          `the published partitions are not the files that passed the quality gate (${differences.length} difference(s): ${shown}); the previous partitions were put back`,
        );
      }
      await finishPublish(state.lakeDir, journal);
      if (state.extract) await repo.advanceWatermark(deps.pool, WATERMARK_SOURCE, state.extract.snapshotAt);
      return { message: `${published.size} published file(s) in ${journal.items.length} partition(s) are the files that passed the quality gate` };
    },
  },
  {
    name: 'catalog',
    dependsOn: ['verify'],
    async run(state, deps) {
      const report = await crawlLake(deps.pool, state.lake);
      const breaking = report.breakingChanges.map((change) => `${change.table}.${change.column} ${change.change}`).join(', ');
      if (breaking) deps.logger.warn({ breaking }, 'breaking schema change detected in the lake');
      return {
        rowsOut: report.tables.length,
        message: `${report.tables.length} table(s) registered${breaking ? `; breaking schema changes: ${breaking}` : ''}`,
      };
    },
  },
  {
    name: 'refresh',
    dependsOn: ['catalog'],
    async run(state, deps) {
      const refreshers = deps.refreshers ?? INSIGHT_REFRESHERS;
      let rows = 0;
      for (const refresher of refreshers) {
        const result = await refresher.refresh({ pool: deps.pool, dataDir: deps.dataDir, lakeDir: state.lakeDir, lake: state.lake, timeZone: deps.timeZone, dates: state.dates, logger: deps.logger });
        rows += result.rows;
      }
      return { rowsOut: rows, message: refreshers.length === 0 ? 'no insight caches registered' : `${refreshers.length} insight cache(s) refreshed` };
    },
  },
];

/** Steps in an order that respects `dependsOn` (and rejects a cycle). */
export function orderSteps(steps: readonly StepDefinition[]): StepDefinition[] {
  const ordered: StepDefinition[] = [];
  const done = new Set<string>();
  const pending = [...steps];
  while (pending.length > 0) {
    const index = pending.findIndex((step) => step.dependsOn.every((name) => done.has(name)));
    if (index < 0) throw new Error(`pipeline DAG has a cycle or a missing step among: ${pending.map((step) => step.name).join(', ')}`);
    const [step] = pending.splice(index, 1);
    if (!step) break;
    ordered.push(step);
    done.add(step.name);
  }
  return ordered;
}

async function withTimeout<T>(work: Promise<T>, ms: number, step: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new StepTimeoutError(`step ${step} ran longer than ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The dates a run without explicit dates rebuilds: changed since the watermark, plus yesterday. */
async function resolveDates(deps: PipelineDeps): Promise<string[]> {
  const now = deps.now?.() ?? new Date();
  const today = dateInZone(now, deps.timeZone);
  const yesterday = addDays(today, -1);
  const watermark = await repo.readWatermark(deps.pool, WATERMARK_SOURCE);
  // an hour of overlap: rows committed just after the last snapshot with an earlier updated_at
  const changed = watermark
    ? await findChangedDates(deps.pool, new Date(watermark.getTime() - 3_600_000), deps.timeZone)
    : await findAllDates(deps.pool, deps.timeZone);
  return [...new Set([...changed, yesterday])].filter((date) => date <= today).sort();
}

/**
 * One pipeline run, start to end: takes the lock, runs the DAG with retries and timeouts, records
 * everything in PostgreSQL, sends the Slack notice. Throws PipelineBusyError if a run is going.
 *
 * @example
 * const summary = await runPipeline(deps, { trigger: 'manual', dates: ['2026-11-24'] });
 */
export async function runPipeline(deps: PipelineDeps, request: RunRequest): Promise<RunSummary> {
  const lock = await tryAcquireRunLock(deps.pool);
  if (!lock) throw new PipelineBusyError();
  const lake = deps.lake ?? LakeMirror.local(lakeRoot(deps.dataDir));
  const lakeDir = lake.root;
  const progress = (line: string): void => {
    deps.onProgress?.(line);
    deps.logger.info(line);
  };
  let run: repo.PipelineRun | undefined;
  const pendingWork: Array<Promise<unknown>> = [];
  let hasTimedOut = false;
  try {
    const abandoned = await repo.abandonOrphanedRuns(deps.pool);
    if (abandoned > 0) progress(`${abandoned} run(s) left by a stopped process marked abandoned`);
    const recovered = await recoverPublishes(lake);
    if (recovered.length > 0) progress(`completed interrupted publish of ${recovered.join(', ')}`);

    run = await repo.startRun(deps.pool, { runId: request.runId, trigger: request.trigger, dates: request.dates ?? [], requestedBy: request.requestedBy });
    const dates = request.dates && request.dates.length > 0 ? [...new Set(request.dates)].sort() : await resolveDates(deps);
    await repo.setRunDates(deps.pool, run.id, dates);
    const state: RunState = { runId: run.id, dates, stagingDir: runStagingDir(lakeDir, run.id), lakeDir, lake, results: [] };
    progress(`run #${run.id} (${request.trigger}) for ${dates.length} date(s): ${dates.length > 4 ? `${dates[0]} … ${dates.at(-1)}` : dates.join(', ')}`);
    const started = performance.now();
    let rowsIn = 0;
    let rowsOut = 0;
    let failure: { step: string; reason: string } | null = null;
    // a step's own progress lines also go to the run log, in order, so the back office's Data
    // pipeline page can show live progress of a run started anywhere (worker, CLI, first start)
    let liveStep: string | null = null;
    let logWrites: Promise<void> = Promise.resolve();
    const runId = run.id;
    const stepDeps: PipelineDeps = {
      ...deps,
      onProgress: (line) => {
        deps.onProgress?.(line);
        const step = liveStep;
        logWrites = logWrites.then(() => repo.appendRunLog(deps.pool, runId, step, line)).catch(() => undefined);
      },
    };

    for (const step of orderSteps(PIPELINE_DAG)) {
      if (failure) {
        await repo.startStep(deps.pool, run.id, step.name, 0);
        await repo.finishStep(deps.pool, run.id, step.name, { status: 'skipped', error: `not run: ${failure.step} failed` });
        continue;
      }
      for (let attempt = 1; ; attempt += 1) {
        await repo.startStep(deps.pool, run.id, step.name, attempt);
        progress(`step ${step.name} (attempt ${attempt})`);
        liveStep = step.name;
        const work = step.run(state, stepDeps);
        pendingWork.push(work.catch(() => undefined));
        try {
          const outcome = await withTimeout(work, deps.settings.stepTimeoutsMs?.[step.name] ?? deps.settings.stepTimeoutMs, step.name);
          // the run's rows: read from the shop, written to the lake (the extract step's figures)
          if (step.name === 'extract') {
            rowsIn = outcome.rowsIn ?? 0;
            rowsOut = outcome.rowsOut ?? 0;
          }
          await repo.finishStep(deps.pool, run.id, step.name, { status: 'succeeded', rowsIn: outcome.rowsIn, rowsOut: outcome.rowsOut });
          await repo.appendRunLog(deps.pool, run.id, step.name, outcome.message);
          progress(`step ${step.name}: ${outcome.message}`);
          break;
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          if (error instanceof StepTimeoutError) hasTimedOut = true;
          await repo.finishStep(deps.pool, run.id, step.name, { status: 'failed', error: reason });
          await repo.appendRunLog(deps.pool, run.id, step.name, `attempt ${attempt} failed: ${reason}`);
          progress(`step ${step.name} failed: ${reason}`);
          // a timed-out attempt may still be running: retrying beside it could race on staging
          const isRetryable = !(error instanceof FinalStepError) && !(error instanceof StepTimeoutError);
          if (!isRetryable || attempt > deps.settings.retries) {
            failure = { step: step.name, reason };
            break;
          }
          const wait = deps.settings.backoffMs * 2 ** (attempt - 1);
          progress(`retrying ${step.name} in ${Math.round(wait / 1000)} s`);
          await delay(wait);
        }
      }
    }

    await logWrites;
    // a publish that failed half-way has a journal naming staged folders: keep them, so the next
    // run (or worker start) completes it; removing them would lose every partition already retired
    if (isPublishPending(lakeDir, `run-${run.id}`)) progress(`publish of run #${run.id} left unfinished; the next run completes it`);
    else await rm(state.stagingDir, { recursive: true, force: true }).catch(() => undefined);
    const summary: RunSummary = {
      runId: run.id,
      status: failure ? 'failed' : 'succeeded',
      dates,
      failedStep: failure?.step ?? null,
      error: failure?.reason ?? null,
      rowsIn,
      rowsOut,
      qualityResults: state.results,
      extractStages: state.extract?.stages ?? [],
      ...(state.extract ? { extractCopyTarget: state.extract.copyTarget } : {}),
    };
    await repo.finishRun(deps.pool, run.id, { status: summary.status, failedStep: summary.failedStep, error: summary.error, rowsIn, rowsOut });
    const text = failure
      ? failureNotice({ runId: run.id, dates, step: failure.step, reason: failure.reason, failedRules: failedRules(state.results) })
      : successNotice({
          runId: run.id,
          dates,
          seconds: (performance.now() - started) / 1000,
          rowsIn,
          rowsOut,
          datasets: state.extract?.datasets ?? [],
          // the same warning shows on staging and after publish: report it once
          warnings: [...new Map(state.results.filter((result) => !result.passed).map((result) => [`${result.dataset}/${result.name}`, result])).values()],
        });
    const notice = await notifySlack({ text }, { webhookUrl: deps.slackWebhookUrl, logger: deps.logger });
    if (notice.status === 'failed') deps.logger.error({ reason: notice.reason }, 'pipeline Slack notice not delivered');
    progress(failure ? `run #${run.id} failed at ${failure.step}` : `run #${run.id} succeeded`);
    return summary;
  } catch (error) {
    if (run) {
      const reason = error instanceof Error ? error.message : String(error);
      await repo.finishRun(deps.pool, run.id, { status: 'failed', failedStep: run.currentStep ?? 'setup', error: reason, rowsIn: 0, rowsOut: 0 }).catch(() => undefined);
    }
    throw error;
  } finally {
    // after a timeout, keep the lock until the abandoned work has really stopped, so the next run
    // cannot overlap it; otherwise every step has settled and the lock goes now
    if (hasTimedOut) void Promise.allSettled(pendingWork).then(() => lock.release());
    else await lock.release();
  }
}
