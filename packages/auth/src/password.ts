import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id parameters (OWASP 2023 baseline: m=19 MiB, t=2, p=1). The algorithm id is written as
 * its number because `Algorithm` is a `const enum`, which isolated modules cannot import.
 */
const ARGON2ID = 2;
const HASH_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Shortest and longest password we accept (NIST SP 800-63B: at least 8, allow at least 64). */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * Hashes a password with argon2id; the PHC string carries salt and parameters.
 *
 * @example
 * const stored = await hashPassword('correct horse battery');
 */
export async function hashPassword(plain: string): Promise<string> {
  return hash(plain, HASH_OPTIONS);
}

/**
 * Checks a password against a stored PHC hash. A malformed hash counts as a mismatch, never a
 * throw, so a corrupt row cannot turn a login into a 500.
 */
export async function verifyPassword(storedHash: string, plain: string): Promise<boolean> {
  try {
    return await verify(storedHash, plain);
  } catch {
    return false;
  }
}

/** A few passwords so common that length alone does not make them acceptable. */
const COMMON_PASSWORDS = new Set([
  'password',
  'password1',
  'password123',
  '12345678',
  '123456789',
  '1234567890',
  'qwertyuiop',
  'qwerty123',
  'iloveyou',
  'letmein123',
  'welcome1',
  'abc12345',
  'admin123',
  'threadline',
  '11111111',
  '00000000',
]);

/**
 * The password rules, as a reason the user can act on, or null when the password is acceptable.
 * Length over composition (NIST SP 800-63B): 8–128 characters, not all one character, not a
 * well-known password.
 *
 * @example
 * checkPasswordRules('short') // 'password must be at least 8 characters'
 * checkPasswordRules('jane.roe@example.com', { email: 'Jane.Roe@example.com' }) // 'password must not be your e-mail address'
 */
export function checkPasswordRules(plain: string, account: { email?: string } = {}): string | null {
  const length = [...plain].length;
  if (length < PASSWORD_MIN_LENGTH) return `password must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (plain.trim().length === 0) return 'password must not be only spaces';
  if (new Set(plain).size === 1) return 'password must not repeat a single character';
  if (COMMON_PASSWORDS.has(plain.toLowerCase())) return 'password is too common; choose another';
  // the first thing anyone who knows the address tries (NIST: no context-specific words)
  const email = account.email?.trim().toLowerCase();
  if (email) {
    const guess = plain.trim().toLowerCase();
    const localPart = email.slice(0, email.lastIndexOf('@'));
    if (guess === email || guess === localPart) return 'password must not be your e-mail address';
  }
  return null;
}
