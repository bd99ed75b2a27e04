import type { Config } from '@threadline/config';
import { embeddedArchivingSettings } from '@threadline/ops';

/**
 * Server settings of the embedded cluster beyond the defaults. Operations features (WAL
 * archiving for point-in-time restore) add theirs here.
 */
export function clusterSettings(config: Config): Record<string, string> {
  return { ...embeddedArchivingSettings(config) };
}
