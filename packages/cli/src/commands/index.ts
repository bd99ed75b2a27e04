import type { Command } from 'commander';

import { registerAudit } from './audit.js';
import { registerBackup } from './backup.js';
import { registerBuild } from './build.js';
import { registerCatalog } from './catalog.js';
import { registerConfig } from './config.js';
import { registerDb } from './db.js';
import { registerDoctor } from './doctor.js';
import { registerFailover } from './failover.js';
import { registerImport } from './import.js';
import { registerInsights } from './insights.js';
import { registerInfra } from './infra.js';
import { registerMigrate } from './migrate.js';
import { registerOps } from './ops.js';
import { registerPipeline } from './pipeline.js';
import { registerQuery } from './query.js';
import { registerRestart } from './restart.js';
import { registerSeed } from './seed.js';
import { registerStart } from './start.js';
import { registerSurvey } from './survey.js';
import { registerTiers } from './tiers.js';
import { registerUsers } from './users.js';
import { registerTls } from './tls.js';

/** Every `threadline` sub-command. Add a line to plug a feature's commands in. */
export const COMMANDS: Array<(program: Command) => void> = [
  registerStart,
  registerDb,
  registerTiers,
  registerMigrate,
  registerSeed,
  registerBuild,
  registerOps,
  registerBackup,
  registerImport,
  registerUsers,
  registerPipeline,
  registerCatalog,
  registerQuery,
  registerInsights,
  registerSurvey,
  registerDoctor,
  registerConfig,
  registerInfra,
  registerAudit,
  registerTls,
  registerRestart,
  registerFailover,
];
