import type { Config, Logger, Secrets } from '@threadline/config';
import type { Pool } from '@threadline/db';

export interface WorkerContext {
  config: Config;
  secrets: Secrets;
  pool: Pool;
  logger: Logger;
}

/** A long-running part of the worker (spool flusher, scheduler…): started once, stopped on shutdown. */
export interface WorkerService {
  name: string;
  start(context: WorkerContext): Promise<{ stop(): Promise<void>; isReady?(): Promise<void> }>;
}
