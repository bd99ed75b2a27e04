export { runPipeline, orderSteps, PIPELINE_DAG, PipelineBusyError, type PipelineDeps, type RunRequest, type RunSummary } from './run-pipeline.js';
export { loadPipelineSettings, type PipelineSettings } from './pipeline-settings.js';
export { pipelineService } from './pipeline.service.js';
export { INSIGHT_REFRESHERS, type InsightRefresher, type RefreshContext } from './insight-refreshers.js';
export {
  queueRun,
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
} from './pipeline.repo.js';
export { seedShop, type ShopFixture } from './shop-fixture.js';
