import type { Queryable } from '../pool.js';

/** Rows untouched this long are forgotten: the longest lock is far shorter. */
const FORGET_AFTER = '2 days';

/**
 * The lock state of an e-mail address that has no account (keyed by a hash the caller makes), so
 * that it answers exactly as an account does. Null when it has no recent failures.
 */
export async function findLoginFailures(db: Queryable, emailKey: Buffer): Promise<{ failedLogins: number; lockedUntil: Date | null } | null> {
  const { rows } = await db.query<{ failed_logins: number; locked_until: Date | null }>(
    'SELECT failed_logins, locked_until FROM login_failures WHERE email_key = $1',
    [emailKey],
  );
  const row = rows[0];
  return row ? { failedLogins: row.failed_logins, lockedUntil: row.locked_until } : null;
}

/**
 * Counts one failed sign-in for an address without an account and locks it as users are locked
 * (`lockFor(failures)` ms, 0 = no lock). Forgets a few stale rows on the way so the table stays
 * small under an address-rotating attack.
 */
export async function recordLoginFailure(db: Queryable, emailKey: Buffer, lockFor: (failures: number) => number): Promise<{ failedLogins: number; lockedUntil: Date | null }> {
  const { rows } = await db.query<{ failed_logins: number }>(
    `INSERT INTO login_failures (email_key, failed_logins) VALUES ($1, 1)
     ON CONFLICT (email_key) DO UPDATE SET failed_logins = login_failures.failed_logins + 1, updated_at = now()
     RETURNING failed_logins`,
    [emailKey],
  );
  const failedLogins = rows[0]?.failed_logins ?? 1;
  const lockMs = lockFor(failedLogins);
  const lockedUntil = lockMs > 0 ? new Date(Date.now() + lockMs) : null;
  if (lockedUntil) await db.query('UPDATE login_failures SET locked_until = $2 WHERE email_key = $1', [emailKey, lockedUntil]);
  await db.query(
    `DELETE FROM login_failures WHERE email_key IN (SELECT email_key FROM login_failures WHERE updated_at < now() - $1::interval LIMIT 100)`,
    [FORGET_AFTER],
  );
  return { failedLogins, lockedUntil };
}

/** Forgets an address's failures (it just became an account). */
export async function clearLoginFailures(db: Queryable, emailKey: Buffer): Promise<void> {
  await db.query('DELETE FROM login_failures WHERE email_key = $1', [emailKey]);
}
