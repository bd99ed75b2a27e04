import type { Config, Secrets } from '@threadline/config';
import type { Pool } from '@threadline/db';
import type { SeedMarker } from '@threadline/demo';

import { clickstreamSeedStep } from './insights.js';
import { pipelineSeedStep } from './pipeline.js';
import { surveySeedStep } from './survey.js';

export interface PostSeedContext {
  pool: Pool;
  config: Config;
  secrets: Secrets;
  /** the seed number: derive any randomness from it (e.g. `new Random(seed)` from @threadline/demo) */
  seed: number;
  /** what the shop seed wrote (counts, window end) */
  marker: SeedMarker;
  /** progress line, printed prefixed with the step name */
  log: (line: string) => void;
}

export interface PostSeedStep {
  /** short name shown in the progress output, e.g. 'clickstream' */
  name: string;
  run(context: PostSeedContext): Promise<void>;
}

/**
 * Demo data that builds on the shop rows, run by `threadline seed` after the shop data is
 * committed, in this order (e.g. ~1M demo web events for the clickstream, a customer survey, then one pipeline run so
 * the dashboards have figures at the first sign-in). Add one line per step.
 * Each step must be deterministic from `context.seed` and is run again by `threadline seed --reset`.
 */
export const POST_SEED_STEPS: PostSeedStep[] = [clickstreamSeedStep, surveySeedStep, pipelineSeedStep];
