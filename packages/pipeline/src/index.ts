// The nightly pipeline (the Glue part): extract the shop's tables → quality gate → publish →
// catalog → refresh the dashboards, as a DAG with retries, run history and a lock. The worker runs
// it on its schedule (`runPipeline`); the API and the CLI only queue runs and read their history.
export { runPipeline, orderSteps, PIPELINE_DAG, PipelineBusyError, type PipelineDeps, type RunRequest, type RunSummary } from './dag/run-pipeline.js';
export { loadPipelineSettings, pipelineSettings, type PipelineSettings } from './dag/pipeline-settings.js';
export { INSIGHT_REFRESHERS, type InsightRefresher, type RefreshContext } from './dag/insight-refreshers.js';
export {
  queueRun,
  nextQueuedRun,
  listRuns,
  findRun,
  listSteps,
  listRuleResults,
  readWatermark,
  type PipelineRun,
  type PipelineStep,
  type StoredRuleResult,
  type RunTrigger,
  type RunStatus,
} from './dag/pipeline.repo.js';
export { recoverPublishes } from './publish/publish.js';
export { CURATED_DATASETS, DATASET_KEYS, DATASET_RULES, type CuratedDataset } from './extract/datasets.js';
export type { QualityRule, RuleSeverity, RuleType } from './quality/rules.js';
export type { RuleResult } from './quality/check.js';
