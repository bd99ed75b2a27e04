import { clickstreamSeedStep } from './clickstream-seed-step.js';
import { pipelineSeedStep } from './pipeline.js';
import type { PostSeedStep } from './seed-step.js';
import { surveySeedStep } from './survey.js';

export type { PostSeedContext, PostSeedStep } from './seed-step.js';

/**
 * Demo data that builds on the shop rows, run by `threadline seed` after the shop data is
 * committed, in this order (e.g. ~1M demo web events for the clickstream, a customer survey, then one pipeline run so
 * the dashboards have figures at the first sign-in). Add one line per step.
 * Each step must be deterministic from `context.seed` and is run again by `threadline seed --reset`.
 */
export const POST_SEED_STEPS: PostSeedStep[] = [clickstreamSeedStep, surveySeedStep, pipelineSeedStep];
