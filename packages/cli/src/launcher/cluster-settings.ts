import type { Config } from '@threadline/config';

/**
 * Server settings of the embedded cluster beyond the defaults. Operations features (WAL
 * archiving for point-in-time restore) add theirs here.
 */
export function clusterSettings(_config: Config): Record<string, string> {
  return {};
}
