export { connectClient, withClient, createPool, prewarmPool, beginAndExecute, withTransaction, type InlineValue, type InlinePrepared, type Pool, type PoolClient, type Queryable, type PoolOptions } from './pool.js';
export { waitForDatabase, DatabaseWaitError } from './wait.js';
export { migrate, readMigrations, MIGRATIONS_DIR, type Migration, type MigrationResult } from './migrate.js';
export { PG_ERROR, isPgError, hasPgCode, isDatabaseUnavailable, type PgError, type PgErrorCode } from './errors.js';
export {
  initialiseCluster,
  startCluster,
  ensureDatabase,
  embeddedUrl,
  embeddedSocketDir,
  embeddedSocketPath,
  isClusterInitialised,
  pgLogLevel,
  EmbeddedClusterError,
  EMBEDDED_USER,
  EMBEDDED_DATABASE,
  type EmbeddedClusterOptions,
  type RunningCluster,
} from './embedded/cluster.js';
export { GROUP_COMMIT_SETTINGS } from './embedded/group-commit.js';
export { reachableBinDir, pgProgram, postgresUserIds, findBlockedAncestor, isRootUser, type OsIds, type PgBinaryName } from './embedded/binaries.js';
export { resolveDatabaseUrl, embeddedClusterDir } from './database-url.js';
export * from './embedded/replication.repo.js';
export { takeBaseBackup, baseBackupProgram, primaryConninfo, writeReplicationPassfile, StandbyError, DEBIAN_PG_BIN } from './embedded/standby.js';
export * from './users/users.repo.js';
export * from './users/login-failures.repo.js';
export * from './catalog/categories.repo.js';
export * from './catalog/colours.repo.js';
export * from './catalog/products.repo.js';
export * from './catalog/product-list.repo.js';
export * from './catalog/search.repo.js';
export * from './catalog/search-text.js';
export * from './carts/carts.repo.js';
export * from './sessions/sessions.repo.js';
export * from './orders/orders.repo.js';
export * from './payments/payments.repo.js';
export * from './reviews/reviews.repo.js';
export * from './audit/audit.repo.js';
export * from './privacy/account-data.repo.js';
export * from './users/password-reset.repo.js';
export * from './checkout/addresses.repo.js';
export * from './checkout/rates.repo.js';
export * from './mail/outbox.repo.js';
