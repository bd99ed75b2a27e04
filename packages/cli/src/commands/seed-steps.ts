import { clickstreamSeedStep } from './clickstream-seed-step.js';
import type { PostSeedStep } from './seed-step.js';

export type { PostSeedContext, PostSeedStep } from './seed-step.js';

/**
 * Demo data that builds on the shop rows, run by `threadline seed` after the shop data is
 * committed, in this order (e.g. ~1M demo web events for the clickstream). Add one line per step.
 * Each step must be deterministic from `context.seed` and is run again by `threadline seed --reset`.
 */
export const POST_SEED_STEPS: PostSeedStep[] = [clickstreamSeedStep];
