import type { Address } from '@threadline/domain';

import type { Queryable } from '../pool.js';

/** An entry of a customer's address book: a checked address (the domain's) with its id and default flag. */
export interface AddressRecord extends Address {
  id: number;
  isDefault: boolean;
}

export type AddressFields = Address;

interface AddressRow {
  id: number;
  recipient_name: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postal_code: string | null;
  country: string;
  phone: string | null;
  is_default: boolean;
}

const COLUMNS = 'id, recipient_name, line1, line2, city, region, postal_code, country, phone, is_default';

function toAddress(row: AddressRow): AddressRecord {
  return {
    id: row.id,
    recipientName: row.recipient_name,
    line1: row.line1,
    line2: row.line2,
    city: row.city,
    region: row.region,
    postalCode: row.postal_code,
    country: row.country,
    phone: row.phone,
    isDefault: row.is_default,
  };
}

/** How many addresses one account may keep. */
export const MAX_ADDRESSES = 20;

/** The account's addresses, the default first. */
export async function listAddresses(db: Queryable, userId: number): Promise<AddressRecord[]> {
  const { rows } = await db.query<AddressRow>(`SELECT ${COLUMNS} FROM addresses WHERE user_id = $1 ORDER BY is_default DESC, id`, [userId]);
  return rows.map(toAddress);
}

export async function findAddress(db: Queryable, userId: number, id: number): Promise<AddressRecord | null> {
  const { rows } = await db.query<AddressRow>(`SELECT ${COLUMNS} FROM addresses WHERE user_id = $1 AND id = $2`, [userId, id]);
  return rows[0] ? toAddress(rows[0]) : null;
}

/**
 * Adds an address (the account's first one becomes the default, as does one saved with
 * `isDefault`). Returns null when the account already has MAX_ADDRESSES. Call in a transaction.
 */
export async function insertAddress(db: Queryable, userId: number, fields: AddressFields, isDefault: boolean): Promise<AddressRecord | null> {
  // the user row lock serialises concurrent inserts, so the count below cannot be raced past
  await db.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
  const { rows: counted } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM addresses WHERE user_id = $1', [userId]);
  const count = counted[0]?.count ?? 0;
  if (count >= MAX_ADDRESSES) return null;
  const makeDefault = isDefault || count === 0;
  if (makeDefault) await db.query('UPDATE addresses SET is_default = false WHERE user_id = $1 AND is_default', [userId]);
  const { rows } = await db.query<AddressRow>(
    `INSERT INTO addresses (user_id, recipient_name, line1, line2, city, region, postal_code, country, phone, is_default)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
    [userId, fields.recipientName, fields.line1, fields.line2, fields.city, fields.region, fields.postalCode, fields.country, fields.phone, makeDefault],
  );
  const row = rows[0];
  if (!row) throw new Error('INSERT … RETURNING returned no row');
  return toAddress(row);
}

/** Makes one of the account's addresses its default. False when it has no such address. Call in a transaction. */
export async function setDefaultAddress(db: Queryable, userId: number, id: number): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM addresses WHERE user_id = $1 AND id = $2 FOR UPDATE', [userId, id]);
  if (rows.length === 0) return false;
  await db.query('UPDATE addresses SET is_default = false WHERE user_id = $1 AND is_default AND id <> $2', [userId, id]);
  await db.query('UPDATE addresses SET is_default = true WHERE user_id = $1 AND id = $2', [userId, id]);
  return true;
}

/** Removes an address; when it was the default, the oldest remaining one takes over. Call in a transaction. */
export async function deleteAddress(db: Queryable, userId: number, id: number): Promise<boolean> {
  const { rows } = await db.query<{ is_default: boolean }>('DELETE FROM addresses WHERE user_id = $1 AND id = $2 RETURNING is_default', [userId, id]);
  const removed = rows[0];
  if (!removed) return false;
  if (removed.is_default) {
    await db.query('UPDATE addresses SET is_default = true WHERE id = (SELECT id FROM addresses WHERE user_id = $1 ORDER BY id LIMIT 1)', [userId]);
  }
  return true;
}
