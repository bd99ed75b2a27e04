import path from 'node:path';

import { EMBEDDED_DATABASE, embeddedSocketDir, embeddedUrl } from './embedded/cluster.js';

/**
 * DATABASE_URL when set (as it is written: TCP unless it names a socket), else the embedded
 * cluster's URL for this data directory and port, over the cluster's unix socket in the data
 * directory (TCP on loopback when that path is too long for a socket address). After a
 * failover the promoted server listens on the same port in the same directory: the URL holds.
 */
export function resolveDatabaseUrl(config: { databaseUrl: string | undefined; pgPort: number; dataDir: string }, pgPassword: string): string {
  return config.databaseUrl ?? embeddedUrl(config.pgPort, pgPassword, EMBEDDED_DATABASE, { socketDir: embeddedSocketDir(embeddedClusterDir(config.dataDir)) });
}

/** Directory of the embedded cluster inside the data directory. */
export function embeddedClusterDir(dataDir: string): string {
  return path.join(dataDir, 'pg');
}
