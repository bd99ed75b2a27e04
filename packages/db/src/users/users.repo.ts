import type { Queryable } from '../pool.js';

export type UserRole = 'customer' | 'seller' | 'admin' | 'marketing';

export interface UserRecord {
  id: number;
  /** null only for customers imported without one (claimable once an e-mail is added) */
  email: string | null;
  name: string;
  role: UserRole;
  ageBand: string | null;
  gender: string | null;
  country: string | null;
  region: string | null;
  marketingConsent: boolean;
  createdAt: Date;
}

export interface UserCredentials {
  id: number;
  passwordHash: string | null;
  failedLogins: number;
  lockedUntil: Date | null;
}

export interface NewUser {
  email: string;
  passwordHash: string;
  name: string;
  role?: UserRole;
  ageBand?: string | null;
  gender?: string | null;
  country?: string | null;
  region?: string | null;
  marketingConsent?: boolean;
}

interface UserRow {
  id: number;
  email: string | null;
  name: string;
  role: UserRole;
  age_band: string | null;
  gender: string | null;
  country: string | null;
  region: string | null;
  marketing_consent: boolean;
  created_at: Date;
}

const USER_COLUMNS = 'id, email, name, role, age_band, gender, country, region, marketing_consent, created_at';

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    ageBand: row.age_band,
    gender: row.gender,
    country: row.country,
    region: row.region,
    marketingConsent: row.marketing_consent,
    createdAt: row.created_at,
  };
}

/** Inserts a user; a duplicate email (case-insensitive) surfaces as unique violation on users_email_key. */
export async function insertUser(db: Queryable, user: NewUser): Promise<UserRecord> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (email, password_hash, name, role, age_band, gender, country, region, marketing_consent)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     RETURNING ${USER_COLUMNS}`,
    [
      user.email,
      user.passwordHash,
      user.name,
      user.role ?? 'customer',
      user.ageBand ?? null,
      user.gender ?? null,
      user.country ?? null,
      user.region ?? null,
      user.marketingConsent ?? false,
    ],
  );
  const row = rows[0];
  if (!row) throw new Error('INSERT … RETURNING returned no row');
  return toUser(row);
}

export async function findUserById(db: Queryable, id: number): Promise<UserRecord | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1 AND deleted_at IS NULL`, [id]);
  return rows[0] ? toUser(rows[0]) : null;
}

/** The login view of an account, by email (case-insensitive). */
export async function findCredentialsByEmail(db: Queryable, email: string): Promise<UserCredentials | null> {
  const { rows } = await db.query<{ id: number; password_hash: string | null; failed_logins: number; locked_until: Date | null }>(
    `SELECT id, password_hash, failed_logins, locked_until FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL`,
    [email],
  );
  const row = rows[0];
  return row ? { id: row.id, passwordHash: row.password_hash, failedLogins: row.failed_logins, lockedUntil: row.locked_until } : null;
}

/** Counts a failed login and sets the lock computed by the caller; returns the new count. */
export async function recordFailedLogin(db: Queryable, userId: number, lockFor: (failures: number) => number): Promise<{ failedLogins: number; lockedUntil: Date | null }> {
  const { rows } = await db.query<{ failed_logins: number }>(
    'UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins',
    [userId],
  );
  const failedLogins = rows[0]?.failed_logins ?? 0;
  const lockMs = lockFor(failedLogins);
  if (lockMs <= 0) return { failedLogins, lockedUntil: null };
  const lockedUntil = new Date(Date.now() + lockMs);
  await db.query('UPDATE users SET locked_until = $2 WHERE id = $1', [userId, lockedUntil]);
  return { failedLogins, lockedUntil };
}

export async function resetFailedLogins(db: Queryable, userId: number): Promise<void> {
  await db.query('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)', [userId]);
}

export async function updateUserRole(db: Queryable, userId: number, role: UserRole): Promise<UserRecord | null> {
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET role = $2 WHERE id = $1 AND deleted_at IS NULL RETURNING ${USER_COLUMNS}`,
    [userId, role],
  );
  return rows[0] ? toUser(rows[0]) : null;
}

export interface UserListQuery {
  search?: string | undefined;
  role?: UserRole | undefined;
  /** Keyset cursor: the last (createdAt, id) seen. */
  after?: { createdAt: string; id: number } | undefined;
  limit: number;
}

/** Users newest first, optionally filtered by role and a search over email and name. */
export async function listUsers(db: Queryable, query: UserListQuery): Promise<{ users: (UserRecord & { createdKey: string })[]; hasMore: boolean }> {
  const where = ['deleted_at IS NULL'];
  const params: unknown[] = [];
  if (query.search) {
    params.push(`%${query.search.replace(/[\\%_]/g, (char) => `\\${char}`)}%`);
    where.push(`(email ILIKE $${params.length} OR name ILIKE $${params.length})`);
  }
  if (query.role) {
    params.push(query.role);
    where.push(`role = $${params.length}`);
  }
  if (query.after) {
    params.push(query.after.createdAt, query.after.id);
    where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
  }
  params.push(query.limit + 1);
  const { rows } = await db.query<UserRow & { created_key: string }>(
    `SELECT ${USER_COLUMNS}, created_at::text AS created_key FROM users WHERE ${where.join(' AND ')}
      ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  return {
    users: rows.slice(0, query.limit).map((row) => ({ ...toUser(row), createdKey: row.created_key })),
    hasMore: rows.length > query.limit,
  };
}

/**
 * Sets an account's password and ends every other session of it: the one place a password
 * changes (claim token, reset link, account settings), so a stolen session never outlives the
 * password it was opened with. `keepSessionIdHash` is the session that made the change (account
 * settings), or null to end them all. Also clears failed-login counters and unused reset links.
 * Returns false when there is no such active account. Call in a transaction.
 */
export async function setPasswordEndingSessions(
  db: Queryable,
  change: { userId: number; passwordHash: string; keepSessionIdHash: Buffer | null },
): Promise<boolean> {
  const updated = await db.query('UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE id = $1 AND deleted_at IS NULL', [
    change.userId,
    change.passwordHash,
  ]);
  if (updated.rowCount !== 1) return false;
  await db.query('DELETE FROM sessions WHERE user_id = $1 AND ($2::bytea IS NULL OR id_hash <> $2)', [change.userId, change.keepSessionIdHash]);
  await db.query('UPDATE password_reset_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL', [change.userId]);
  return true;
}

/** The stored password hash of an active account (to confirm the current password). */
export async function findPasswordHash(db: Queryable, userId: number): Promise<string | null> {
  const { rows } = await db.query<{ password_hash: string | null }>('SELECT password_hash FROM users WHERE id = $1 AND deleted_at IS NULL', [userId]);
  return rows[0]?.password_hash ?? null;
}
