import { createHash, randomBytes } from 'node:crypto';

import type { Queryable } from '../pool.js';
import { setPasswordEndingSessions } from './users.repo.js';

/** A reset link works for one hour. */
export const RESET_TOKEN_TTL_MS = 60 * 60 * 1000;

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** The active account with this e-mail (case-insensitive), for a reset request. */
export async function findResettableUser(db: Queryable, email: string): Promise<{ id: number; email: string; name: string } | null> {
  const { rows } = await db.query<{ id: number; email: string; name: string }>(
    'SELECT id, email, name FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL',
    [email],
  );
  return rows[0] ?? null;
}

/** How many reset links the account was sent since `since` (the per-account rate limit). */
export async function countResetTokensSince(db: Queryable, userId: number, since: Date): Promise<number> {
  const { rows } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM password_reset_tokens WHERE user_id = $1 AND created_at >= $2', [userId, since]);
  return rows[0]?.count ?? 0;
}

/** Issues a reset token; earlier unused ones of the account stop working. Returns the token (only its hash is stored). */
export async function issueResetToken(db: Queryable, userId: number): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + RESET_TOKEN_TTL_MS);
  await db.query('UPDATE password_reset_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL', [userId]);
  await db.query('INSERT INTO password_reset_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)', [hashToken(token), userId, expiresAt]);
  return { token, expiresAt };
}

/**
 * Uses a reset token up and sets the new password, ending every session of the account. Returns
 * the user id, or undefined for an unknown, used or expired token. Call in a transaction.
 */
export async function resetPasswordWithToken(db: Queryable, token: string, passwordHash: string): Promise<number | undefined> {
  const { rows } = await db.query<{ user_id: number }>(
    `UPDATE password_reset_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id`,
    [hashToken(token)],
  );
  const userId = rows[0]?.user_id;
  if (userId === undefined) return undefined;
  const isSet = await setPasswordEndingSessions(db, { userId, passwordHash, keepSessionIdHash: null });
  return isSet ? userId : undefined;
}
