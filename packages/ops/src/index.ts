export {
  notifySlack,
  SLACK_FAILURE,
  type SlackMessage,
  type NotifySlackOptions,
  type NotifySlackResult,
  type SlackFailureCode,
} from './notify/slack.js';
export { OpsError, OPS_ERROR, isOpsError, type OpsErrorCode } from './errors.js';

export { metricsPlugin, isPrivateAddress, type MetricsPluginOptions } from './metrics/fastify-metrics.js';
export { createServiceMetrics, LATENCY_BUCKETS, type ServiceMetrics, type ServiceName } from './metrics/registry.js';
export { registerHostMetrics, parseNetDev } from './metrics/host.js';
export { registerPoolMetrics } from './metrics/pool-metrics.js';
export { registerOpsGauges, measureSpool } from './metrics/ops-gauges.js';
export { registerWorkerMetrics, registerDuckDbMemoryMetrics, createBackupInfoCache, invalidateBackupInfoCaches, type DuckDbMemoryReader } from './metrics/worker-metrics.js';
export { readDatabaseStatus, readPipelineStatus, type DatabaseStatus, type PipelineStatus } from './metrics/ops.repo.js';

export {
  resolveBackupConfig,
  renderPgBackRestConfig,
  writePgBackRestConfig,
  walArchivingSettings,
  archiveCommand,
  shellQuote,
  STANZA,
  DEFAULT_RETENTION_DAYS,
  type BackupConfig,
} from './backup/backup-config.js';
export { findPgBackRest, requirePgBackRest, runPgBackRest } from './backup/pgbackrest.js';
export { readStanzaInfo, parseStanzaInfo, latestBackup, type BackupSet, type StanzaInfo, type BackupType } from './backup/info.js';
export {
  ensureStanza,
  runBackup,
  verifyRepo,
  chooseBackupType,
  readLastBackupStatus,
  requireLatestBackup,
  REPOS,
  type RepoKey,
  type BackupRunResult,
  type VerifyResult,
  type LastBackupStatus,
} from './backup/run-backup.js';
export {
  restoreFiles,
  startRestoredCluster,
  parseRestoreTarget,
  formatRecoveryTime,
  explainRecoveryFailure,
  type RestoreTarget,
  type RestoreResult,
} from './backup/restore.js';
export { switchWalAndWait, ensureArchivedThrough } from './backup/wal-archive.js';
export { runNightlyBackup, describeBackupRun } from './backup/nightly.js';
export { nextDailyRun, parseTimeOfDay } from './schedule/daily.js';
export { writeAlertingConfig, alertingCommands, DEPLOY_DIR, type AlertingLayout, type AlertingFiles, type ScrapeTarget } from './alerting/configs.js';
export { findAlertingBinaries, whichBinary } from './alerting/binaries.js';
export { planMonitoringCompanions, monitoringPorts, type CompanionPlan } from './alerting/companions.js';
export { embeddedArchivingSettings, prepareEmbeddedArchiving, isStanzaCreated } from './backup/cluster-archiving.js';
export { runRestoreDrill, describeDrill, type DrillResult, type DrillOptions } from './backup/drill.js';
export { collectOpsStatus, statusRows, fetchAlerts, fetchSeries, prometheusUrl, type OpsStatus, type TierState, type AlertState, type SeriesPoint } from './status/ops-status.js';
