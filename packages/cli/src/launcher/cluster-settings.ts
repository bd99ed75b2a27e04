import type { Config } from '@threadline/config';
import { prepareEmbeddedArchiving } from '@threadline/ops';

/**
 * Server settings of the embedded cluster beyond the defaults. Operations features (WAL
 * archiving for point-in-time restore) add theirs here. Call it after initdb and before the
 * server starts: it creates the pgBackRest stanza first, so archiving never runs without it.
 */
export async function clusterSettings(config: Config, options: { onWarning?: (line: string) => void } = {}): Promise<Record<string, string>> {
  return { ...(await prepareEmbeddedArchiving(config, options)) };
}
