import type { Queryable } from '../pool.js';

export type PaymentStatusValue = 'succeeded' | 'declined' | 'requires_retry' | 'refunded';

export interface PaymentRecord {
  id: number;
  orderId: number;
  provider: string;
  providerRef: string;
  status: PaymentStatusValue;
  amountCents: number;
  cardBrand: string | null;
  cardLast4: string | null;
  errorCode: string | null;
  idempotencyKey: string | null;
}

interface PaymentRow {
  id: number;
  order_id: number;
  provider: string;
  provider_ref: string;
  status: PaymentStatusValue;
  amount_cents: number;
  card_brand: string | null;
  card_last4: string | null;
  error_code: string | null;
  idempotency_key: string | null;
}

function toPayment(row: PaymentRow): PaymentRecord {
  return {
    id: row.id,
    orderId: row.order_id,
    provider: row.provider,
    providerRef: row.provider_ref,
    status: row.status,
    amountCents: row.amount_cents,
    cardBrand: row.card_brand,
    cardLast4: row.card_last4,
    errorCode: row.error_code,
    idempotencyKey: row.idempotency_key,
  };
}

const COLUMNS = 'id, order_id, provider, provider_ref, status, amount_cents, card_brand, card_last4, error_code, idempotency_key';

export async function findPaymentByIdempotencyKey(db: Queryable, orderId: number, key: string): Promise<PaymentRecord | null> {
  const { rows } = await db.query<PaymentRow>(`SELECT ${COLUMNS} FROM payments WHERE order_id = $1 AND idempotency_key = $2`, [orderId, key]);
  return rows[0] ? toPayment(rows[0]) : null;
}

export async function findSucceededPayment(db: Queryable, orderId: number): Promise<PaymentRecord | null> {
  const { rows } = await db.query<PaymentRow>(
    `SELECT ${COLUMNS} FROM payments WHERE order_id = $1 AND status = 'succeeded' ORDER BY id DESC LIMIT 1`,
    [orderId],
  );
  return rows[0] ? toPayment(rows[0]) : null;
}

export async function findPaymentByProviderRef(db: Queryable, provider: string, providerRef: string): Promise<PaymentRecord | null> {
  const { rows } = await db.query<PaymentRow>(`SELECT ${COLUMNS} FROM payments WHERE provider = $1 AND provider_ref = $2`, [provider, providerRef]);
  return rows[0] ? toPayment(rows[0]) : null;
}

/** Records a payment attempt; only the card brand and last four digits are stored. */
export async function insertPayment(db: Queryable, payment: Omit<PaymentRecord, 'id'>): Promise<PaymentRecord> {
  const { rows } = await db.query<PaymentRow>(
    `INSERT INTO payments (order_id, provider, provider_ref, status, amount_cents, card_brand, card_last4, error_code, idempotency_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [
      payment.orderId,
      payment.provider,
      payment.providerRef,
      payment.status,
      payment.amountCents,
      payment.cardBrand,
      payment.cardLast4,
      payment.errorCode,
      payment.idempotencyKey,
    ],
  );
  const row = rows[0];
  if (!row) throw new Error('INSERT … RETURNING returned no row');
  return toPayment(row);
}

export async function setPaymentStatus(db: Queryable, paymentId: number, status: PaymentStatusValue): Promise<void> {
  await db.query('UPDATE payments SET status = $2 WHERE id = $1', [paymentId, status]);
}

/** Stores a webhook event once; false when this event id was seen before (a replay or a redelivery). */
export async function recordWebhookEvent(db: Queryable, event: { provider: string; eventId: string; type: string; payload: unknown }): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO payment_webhook_events (provider, event_id, type, payload) VALUES ($1, $2, $3, $4)
     ON CONFLICT (provider, event_id) DO NOTHING`,
    [event.provider, event.eventId, event.type, JSON.stringify(event.payload)],
  );
  return result.rowCount === 1;
}

/** Forgets a webhook event whose processing failed, so the provider's redelivery is processed again. */
export async function forgetWebhookEvent(db: Queryable, provider: string, eventId: string): Promise<void> {
  await db.query('DELETE FROM payment_webhook_events WHERE provider = $1 AND event_id = $2', [provider, eventId]);
}
