import { createHash, randomBytes } from 'node:crypto';

import type { Pool, Queryable } from '../pool.js';
import { setPasswordEndingSessions } from './users.repo.js';

/** A claim token is valid for 7 days. */
export const CLAIM_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export interface IssuedClaimToken {
  token: string;
  userId: number;
  email: string;
  expiresAt: Date;
}

/**
 * Issues a one-time account-claim token for a user (earlier unused tokens of the user stop
 * working). Returns undefined when there is no such active user.
 */
export async function issueClaimToken(db: Queryable, user: { id?: number; email?: string }, issuedBy: number | null): Promise<IssuedClaimToken | undefined> {
  const { rows } = await db.query<{ id: number; email: string }>(
    `SELECT id, email FROM users
      WHERE deleted_at IS NULL AND (($1::bigint IS NOT NULL AND id = $1) OR ($2::text IS NOT NULL AND lower(email) = lower($2)))`,
    [user.id ?? null, user.email ?? null],
  );
  const found = rows[0];
  if (!found) return undefined;
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + CLAIM_TOKEN_TTL_MS);
  await db.query('UPDATE account_claim_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL', [found.id]);
  await db.query('INSERT INTO account_claim_tokens (token_hash, user_id, issued_by, expires_at) VALUES ($1, $2, $3, $4)', [
    hashToken(token),
    found.id,
    issuedBy,
    expiresAt,
  ]);
  return { token, userId: found.id, email: found.email, expiresAt };
}

/**
 * Sets the password of the token's user (ending every session of the account) and uses the token
 * up, in one transaction. Returns the
 * user id, or undefined for an unknown, used or expired token.
 */
export async function claimAccount(pool: Pool, token: string, passwordHash: string): Promise<number | undefined> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ user_id: number }>(
      `UPDATE account_claim_tokens SET used_at = now()
        WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
        RETURNING user_id`,
      [hashToken(token)],
    );
    const userId = rows[0]?.user_id;
    if (userId === undefined) {
      await client.query('ROLLBACK');
      return undefined;
    }
    // a claimed account starts with no sessions; those left from before the claim end here
    await setPasswordEndingSessions(client, { userId, passwordHash, keepSessionIdHash: null });
    await client.query('COMMIT');
    return userId;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
