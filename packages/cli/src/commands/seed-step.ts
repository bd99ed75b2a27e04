import type { Config, Secrets } from '@threadline/config';
import type { Pool } from '@threadline/db';
import type { SeedMarker } from '@threadline/demo';

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
