/**
 * Builds DATABASE_URL from the libpq-style variables that ECS injects from the RDS secret
 * (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE), percent-encoding user and password.
 * Returns undefined when DATABASE_URL is already set or PGHOST is not.
 *
 * @param {Record<string, string | undefined>} env
 * @returns {string | undefined}
 */
export function databaseUrlFromPgEnv(env) {
  if (env.DATABASE_URL || !env.PGHOST) return undefined;
  // PGPASSWORD may be absent (trust or certificate authentication), as with libpq.
  const missing = ['PGUSER', 'PGDATABASE'].filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`PGHOST is set but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not`);
  const port = env.PGPORT || '5432';
  if (!/^\d{1,5}$/.test(port)) throw new Error(`PGPORT must be a port number (got "${port}")`);
  const sslmode = env.PGSSLMODE || 'require';
  const user = encodeURIComponent(env.PGUSER ?? '');
  const password = env.PGPASSWORD ? `:${encodeURIComponent(env.PGPASSWORD)}` : '';
  const database = encodeURIComponent(env.PGDATABASE ?? '');
  return `postgres://${user}${password}@${env.PGHOST}:${port}/${database}?sslmode=${encodeURIComponent(sslmode)}`;
}
