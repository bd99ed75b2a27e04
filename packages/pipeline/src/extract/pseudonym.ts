import { createHmac } from 'node:crypto';

/**
 * The analytics id of a customer: HMAC-SHA256 of the shop user id under the pseudonym key
 * (`secrets.pseudonymKey`, never stored in the lake), 132 bits as 22 base64url characters — the same function as the clickstream's
 * `pseudonymise(key, 'user', id)`,. The same user gets the
 * same key in every dataset (sales, reviews, clickstream) so the analyses can join them, while
 * nobody holding only the lake can turn it back into an account.
 *
 * @example
 * pseudonymiseUserId(secrets.pseudonymKey, 42) // 'q3f0…' (22 base64url characters)
 */
export function pseudonymiseUserId(key: string, userId: number | string): string {
  return createHmac('sha256', key).update(`user:${userId}`).digest('base64url').slice(0, 22);
}
