import type { Queryable } from '../pool.js';

export type OutboxStatus = 'queued' | 'sent' | 'failed';

export interface NewMail {
  template: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  orderId?: number | null;
  userId?: number | null;
}

export interface OutboxMail {
  id: number;
  template: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  orderId: number | null;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  messageId: string | null;
  sentAt: Date | null;
  createdAt: Date;
}

interface OutboxRow {
  id: number;
  template: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  order_id: number | null;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  message_id: string | null;
  sent_at: Date | null;
  created_at: Date;
}

const COLUMNS = 'id, template, to_address, subject, text_body, html_body, order_id, status, attempts, next_attempt_at, last_error, message_id, sent_at, created_at';

function toMail(row: OutboxRow): OutboxMail {
  return {
    id: row.id,
    template: row.template,
    to: row.to_address,
    subject: row.subject,
    text: row.text_body,
    html: row.html_body,
    orderId: row.order_id,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    messageId: row.message_id,
    sentAt: row.sent_at,
    createdAt: row.created_at,
  };
}

/** Stores a mail for delivery; call inside the transaction of the fact the mail tells about. */
export async function enqueueMail(db: Queryable, mail: NewMail): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO outbox (template, to_address, subject, text_body, html_body, order_id, user_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [mail.template, mail.to, mail.subject, mail.text, mail.html, mail.orderId ?? null, mail.userId ?? null],
  );
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('INSERT … RETURNING returned no row');
  return id;
}

/**
 * Takes up to `limit` due mails for one delivery attempt: their next attempt moves `leaseMs` into
 * the future first, so another worker (or this one after a crash) only retries them after that.
 */
export async function leaseDueMails(db: Queryable, limit: number, leaseMs: number): Promise<OutboxMail[]> {
  const { rows } = await db.query<OutboxRow>(
    `UPDATE outbox SET next_attempt_at = now() + ($2::integer * interval '1 millisecond'), attempts = attempts + 1
      WHERE id IN (SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= now() ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
      RETURNING ${COLUMNS}`,
    [limit, leaseMs],
  );
  return rows.map(toMail).sort((a, b) => a.id - b.id);
}

export async function markMailSent(db: Queryable, id: number, messageId: string | null): Promise<void> {
  await db.query("UPDATE outbox SET status = 'sent', sent_at = now(), message_id = $2, last_error = NULL WHERE id = $1", [id, messageId]);
}

/** Records a failed attempt: retried at `retryAt`, or given up (status failed) when retryAt is null. */
export async function markMailFailed(db: Queryable, id: number, error: string, retryAt: Date | null): Promise<void> {
  await db.query(
    `UPDATE outbox SET last_error = $2, status = CASE WHEN $3::timestamptz IS NULL THEN 'failed' ELSE 'queued' END,
            next_attempt_at = coalesce($3::timestamptz, next_attempt_at) WHERE id = $1`,
    [id, error.slice(0, 1000), retryAt],
  );
}

/** Puts a failed mail back in the queue for one more round of attempts (back office "Retry"). */
export async function requeueMail(db: Queryable, id: number): Promise<boolean> {
  const result = await db.query("UPDATE outbox SET status = 'queued', attempts = 0, next_attempt_at = now() WHERE id = $1 AND status = 'failed'", [id]);
  return result.rowCount === 1;
}

/** The outbox newest first, keyset-paged by id; optionally one status or one recipient. */
export async function listOutbox(
  db: Queryable,
  query: { status?: OutboxStatus | undefined; to?: string | undefined; beforeId?: number | undefined; limit: number },
): Promise<{ mails: OutboxMail[]; hasMore: boolean }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.status) {
    params.push(query.status);
    where.push(`status = $${params.length}`);
  }
  if (query.to) {
    params.push(query.to);
    where.push(`lower(to_address) = lower($${params.length})`);
  }
  if (query.beforeId !== undefined) {
    params.push(query.beforeId);
    where.push(`id < $${params.length}`);
  }
  params.push(query.limit + 1);
  const { rows } = await db.query<OutboxRow>(
    `SELECT ${COLUMNS} FROM outbox ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return { mails: rows.slice(0, query.limit).map(toMail), hasMore: rows.length > query.limit };
}

export async function getOutboxMail(db: Queryable, id: number): Promise<OutboxMail | null> {
  const { rows } = await db.query<OutboxRow>(`SELECT ${COLUMNS} FROM outbox WHERE id = $1`, [id]);
  return rows[0] ? toMail(rows[0]) : null;
}

/** Counts by status, for the back office and /metrics. */
export async function countOutbox(db: Queryable): Promise<Record<OutboxStatus, number>> {
  const { rows } = await db.query<{ status: OutboxStatus; count: number }>('SELECT status, count(*)::int AS count FROM outbox GROUP BY status');
  const counts: Record<OutboxStatus, number> = { queued: 0, sent: 0, failed: 0 };
  for (const row of rows) counts[row.status] = row.count;
  return counts;
}
