import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Keys the tiers share. Taken from the environment; on one machine generated once under the data dir. */
export interface Secrets {
  /** Signs session ids and CSRF tokens. */
  sessionSecret: string;
  /** Keyed hash for pseudonymised ids in the analytics lake (never leaves the shop). */
  pseudonymKey: string;
  /** HMAC key for payment provider webhooks. */
  paymentWebhookSecret: string;
  /** Password of the embedded PostgreSQL superuser. */
  pgPassword: string;
  /** Password of the `replicator` role the embedded hot standby streams as (always set by loadOrCreateSecrets; fixtures without a standby omit it). */
  pgReplicationPassword?: string;
}

const ENV_NAMES = {
  sessionSecret: 'THREADLINE_SESSION_SECRET',
  pseudonymKey: 'THREADLINE_PSEUDONYM_KEY',
  paymentWebhookSecret: 'THREADLINE_PAYMENT_WEBHOOK_SECRET',
  pgPassword: 'THREADLINE_PG_PASSWORD',
  pgReplicationPassword: 'THREADLINE_PG_REPLICATION_PASSWORD',
} as const;

function isSecrets(value: unknown): value is Partial<Secrets> {
  return typeof value === 'object' && value !== null;
}

/**
 * Secrets come from the environment first. Whatever is missing is generated once and kept in
 * `<dataDir>/secrets.json` (mode 0600) so that restarts keep sessions and pseudonyms stable.
 */
export function loadOrCreateSecrets(dataDir: string, env: Record<string, string | undefined> = process.env): Secrets {
  const file = path.join(dataDir, 'secrets.json');
  let stored: Partial<Secrets> = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (isSecrets(parsed)) stored = parsed;
  } catch {
    // first start: nothing stored yet
  }
  let isChanged = false;
  const pick = (key: keyof typeof ENV_NAMES): string => {
    const fromEnv = env[ENV_NAMES[key]];
    if (fromEnv) return fromEnv;
    const existing = stored[key];
    if (typeof existing === 'string' && existing.length > 0) return existing;
    isChanged = true;
    const generated = randomBytes(32).toString('base64url');
    stored[key] = generated;
    return generated;
  };
  const secrets: Secrets = {
    sessionSecret: pick('sessionSecret'),
    pseudonymKey: pick('pseudonymKey'),
    paymentWebhookSecret: pick('paymentWebhookSecret'),
    pgPassword: pick('pgPassword'),
    pgReplicationPassword: pick('pgReplicationPassword'),
  };
  if (isChanged) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
  return secrets;
}
