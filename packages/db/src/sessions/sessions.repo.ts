import type { Queryable } from '../pool.js';
import type { UserRole } from '../users/users.repo.js';

/** A live session with its user (null for an anonymous visitor or a deleted account). */
export interface SessionRecord {
  idHash: Buffer;
  csrfToken: string;
  lastSeenAt: Date;
  expiresAt: Date;
  user: { id: number; email: string; name: string; role: UserRole } | null;
}

interface SessionRow {
  id_hash: Buffer;
  csrf_token: string;
  last_seen_at: Date;
  expires_at: Date;
  user_id: string | number | null;
  email: string | null;
  name: string | null;
  role: UserRole | null;
}

/** The session with this id hash, if it has not expired; a deleted user reads as anonymous. */
export async function findActiveSession(db: Queryable, idHash: Buffer): Promise<SessionRecord | null> {
  const { rows } = await db.query<SessionRow>({
    name: 'find-active-session',
    text: `SELECT s.id_hash, s.csrf_token, s.last_seen_at, s.expires_at, u.id AS user_id, u.email, u.name, u.role
             FROM sessions s LEFT JOIN users u ON u.id = s.user_id AND u.deleted_at IS NULL
            WHERE s.id_hash = $1 AND s.expires_at > now()`,
    values: [idHash],
  });
  const row = rows[0];
  if (!row) return null;
  const user =
    row.user_id !== null && row.email !== null && row.name !== null && row.role !== null
      ? { id: Number(row.user_id), email: row.email, name: row.name, role: row.role }
      : null;
  return { idHash: row.id_hash, csrfToken: row.csrf_token, lastSeenAt: row.last_seen_at, expiresAt: row.expires_at, user };
}

/** Marks a session as seen now and pushes its expiry out (sliding expiry). */
export async function touchSession(db: Queryable, idHash: Buffer, expiresAt: Date): Promise<void> {
  await db.query('UPDATE sessions SET last_seen_at = now(), expires_at = $2 WHERE id_hash = $1', [idHash, expiresAt]);
}

export interface NewSession {
  idHash: Buffer;
  userId: number | null;
  csrfToken: string;
  ip: string;
  userAgent: string;
  expiresAt: Date;
}

export async function insertSession(db: Queryable, session: NewSession): Promise<void> {
  await db.query(
    `INSERT INTO sessions (id_hash, user_id, csrf_token, ip, user_agent, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [session.idHash, session.userId, session.csrfToken, session.ip, session.userAgent, session.expiresAt],
  );
}

export async function deleteSession(db: Queryable, idHash: Buffer): Promise<void> {
  await db.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
}

/**
 * Deletes sessions that expired before `before`, at most `limit` per call (the clean-up job calls
 * it until it returns fewer, so one run never holds a long lock). Their anonymous carts lose the
 * session link (ON DELETE SET NULL) and are removed by `deleteAbandonedCarts`.
 */
export async function deleteExpiredSessions(db: Queryable, before: Date, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM sessions WHERE id_hash IN (
       SELECT id_hash FROM sessions WHERE expires_at < $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [before, limit],
  );
  return rowCount ?? 0;
}
