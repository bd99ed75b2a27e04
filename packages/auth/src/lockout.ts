/** Failed logins allowed before the account starts locking. */
export const FREE_LOGIN_FAILURES = 5;
const BASE_LOCK_MS = 30_000;
const MAX_LOCK_MS = 15 * 60_000;

/**
 * How long an account locks after its `failures`-th consecutive failed login: nothing for the
 * first few (typos), then 30 s doubling per further failure, capped at 15 minutes — slow enough
 * to stop guessing, short enough that an attacker cannot lock a real customer out for long.
 *
 * @example
 * lockDurationMs(5) // 0
 * lockDurationMs(6) // 30000
 */
export function lockDurationMs(failures: number): number {
  if (failures <= FREE_LOGIN_FAILURES) return 0;
  return Math.min(MAX_LOCK_MS, BASE_LOCK_MS * 2 ** Math.min(20, failures - FREE_LOGIN_FAILURES - 1));
}
