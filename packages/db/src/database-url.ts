import path from 'node:path';

import { embeddedUrl } from './embedded/cluster.js';

/** DATABASE_URL when set, else the embedded cluster's URL for this data directory and port. */
export function resolveDatabaseUrl(config: { databaseUrl: string | undefined; pgPort: number }, pgPassword: string): string {
  return config.databaseUrl ?? embeddedUrl(config.pgPort, pgPassword);
}

/** Directory of the embedded cluster inside the data directory. */
export function embeddedClusterDir(dataDir: string): string {
  return path.join(dataDir, 'pg');
}
