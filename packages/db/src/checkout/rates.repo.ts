import type { Queryable } from '../pool.js';

export interface ShippingRateRecord {
  id: number;
  code: string;
  name: string;
  country: string | null;
  priceCents: number;
  freeOverCents: number | null;
  minDays: number;
  maxDays: number;
  isActive: boolean;
}

export type ShippingRateFields = Omit<ShippingRateRecord, 'id'>;

interface ShippingRateRow {
  id: number;
  code: string;
  name: string;
  country: string | null;
  price_cents: number;
  free_over_cents: number | null;
  min_days: number;
  max_days: number;
  is_active: boolean;
}

const SHIPPING_COLUMNS = 'id, code, name, country, price_cents, free_over_cents, min_days, max_days, is_active';

function toShippingRate(row: ShippingRateRow): ShippingRateRecord {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    country: row.country,
    priceCents: row.price_cents,
    freeOverCents: row.free_over_cents,
    minDays: row.min_days,
    maxDays: row.max_days,
    isActive: row.is_active,
  };
}

/** Shipping rates, by country (the catch-all rates last) then sort order. */
export async function listShippingRates(db: Queryable, options: { isActiveOnly: boolean }): Promise<ShippingRateRecord[]> {
  const { rows } = await db.query<ShippingRateRow>(
    `SELECT ${SHIPPING_COLUMNS} FROM shipping_rates ${options.isActiveOnly ? 'WHERE is_active' : ''}
      ORDER BY country NULLS LAST, sort_order, id`,
  );
  return rows.map(toShippingRate);
}

/** Adds a rate; a second rate with the same code for the same country is a unique violation. */
export async function insertShippingRate(db: Queryable, fields: ShippingRateFields): Promise<ShippingRateRecord> {
  const { rows } = await db.query<ShippingRateRow>(
    `INSERT INTO shipping_rates (code, name, country, price_cents, free_over_cents, min_days, max_days, is_active, sort_order)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, (SELECT coalesce(max(sort_order), 0) + 1 FROM shipping_rates))
     RETURNING ${SHIPPING_COLUMNS}`,
    [fields.code, fields.name, fields.country, fields.priceCents, fields.freeOverCents, fields.minDays, fields.maxDays, fields.isActive],
  );
  const row = rows[0];
  if (!row) throw new Error('INSERT … RETURNING returned no row');
  return toShippingRate(row);
}

export async function updateShippingRate(db: Queryable, id: number, fields: ShippingRateFields): Promise<ShippingRateRecord | null> {
  const { rows } = await db.query<ShippingRateRow>(
    `UPDATE shipping_rates SET code = $2, name = $3, country = $4, price_cents = $5, free_over_cents = $6, min_days = $7, max_days = $8, is_active = $9
      WHERE id = $1 RETURNING ${SHIPPING_COLUMNS}`,
    [id, fields.code, fields.name, fields.country, fields.priceCents, fields.freeOverCents, fields.minDays, fields.maxDays, fields.isActive],
  );
  return rows[0] ? toShippingRate(rows[0]) : null;
}

export async function deleteShippingRate(db: Queryable, id: number): Promise<boolean> {
  const result = await db.query('DELETE FROM shipping_rates WHERE id = $1', [id]);
  return result.rowCount === 1;
}

export interface TaxRateRecord {
  id: number;
  country: string;
  region: string | null;
  label: string;
  ratePpm: number;
  appliesToShipping: boolean;
}

export type TaxRateFields = Omit<TaxRateRecord, 'id'>;

interface TaxRateRow {
  id: number;
  country: string;
  region: string | null;
  label: string;
  rate_ppm: number;
  applies_to_shipping: boolean;
}

const TAX_COLUMNS = 'id, country, region, label, rate_ppm, applies_to_shipping';

function toTaxRate(row: TaxRateRow): TaxRateRecord {
  return { id: row.id, country: row.country, region: row.region, label: row.label, ratePpm: row.rate_ppm, appliesToShipping: row.applies_to_shipping };
}

/** Tax rates of one country (with its regions), or all when country is undefined. */
export async function listTaxRates(db: Queryable, country?: string): Promise<TaxRateRecord[]> {
  const { rows } = await db.query<TaxRateRow>(
    `SELECT ${TAX_COLUMNS} FROM tax_rates ${country === undefined ? '' : 'WHERE country = $1'} ORDER BY country, region NULLS FIRST`,
    country === undefined ? [] : [country],
  );
  return rows.map(toTaxRate);
}

/** Sets the rate of a place (country, or country + region), adding the row when there is none. */
export async function upsertTaxRate(db: Queryable, fields: TaxRateFields): Promise<TaxRateRecord> {
  const { rows } = await db.query<TaxRateRow>(
    `INSERT INTO tax_rates (country, region, label, rate_ppm, applies_to_shipping) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (country, coalesce(region, '')) DO UPDATE SET label = EXCLUDED.label, rate_ppm = EXCLUDED.rate_ppm, applies_to_shipping = EXCLUDED.applies_to_shipping
     RETURNING ${TAX_COLUMNS}`,
    [fields.country, fields.region, fields.label, fields.ratePpm, fields.appliesToShipping],
  );
  const row = rows[0];
  if (!row) throw new Error('INSERT … RETURNING returned no row');
  return toTaxRate(row);
}

export async function deleteTaxRate(db: Queryable, id: number): Promise<boolean> {
  const result = await db.query('DELETE FROM tax_rates WHERE id = $1', [id]);
  return result.rowCount === 1;
}

/** The rates that can price a checkout to one place (see findCheckoutRates). */
export interface CheckoutRates {
  shippingRates: ShippingRateRecord[];
  taxRates: TaxRateRecord[];
}

/** The two JSON columns checkoutRatesColumns selects. */
export interface CheckoutRatesRow {
  shipping_rates: ShippingRateRow[] | null;
  tax_rates: TaxRateRow[] | null;
}

/**
 * Select-list columns (`shipping_rates`, `tax_rates`) with the rates that can price a checkout to
 * a place given by two parameters (country, region): the active shipping rates of that country and
 * the catch-all ones (shippingOptionsFor picks between them), ordered as listShippingRates orders
 * them, and the tax rates of the country itself and of that region (findTaxRate picks between
 * them). Only these: the US alone has some fifty regional rates, and a checkout prices one place.
 * Shared by findCheckoutRates and the checkout's locked read (lockCheckoutState), which takes them
 * in the same round trip.
 */
export function checkoutRatesColumns(params: { country: string; region: string }): string {
  return `(SELECT json_agg(s ORDER BY s.country NULLS LAST, s.sort_order, s.id)
             FROM (SELECT ${SHIPPING_COLUMNS}, sort_order FROM shipping_rates
                    WHERE is_active AND (country IS NULL OR country = ${params.country})) s) AS shipping_rates,
          (SELECT json_agg(t ORDER BY t.country, t.region NULLS FIRST)
             FROM (SELECT ${TAX_COLUMNS} FROM tax_rates
                    WHERE country = ${params.country} AND (region IS NULL OR region = ${params.region})) t) AS tax_rates`;
}

/** The rates of a row that selected checkoutRatesColumns. */
export function toCheckoutRates(row: CheckoutRatesRow | undefined): CheckoutRates {
  return { shippingRates: (row?.shipping_rates ?? []).map(toShippingRate), taxRates: (row?.tax_rates ?? []).map(toTaxRate) };
}

/**
 * What pricing a checkout to `place` needs, in one round trip: the shipping methods that can go
 * there and its tax rates (see checkoutRatesColumns).
 */
export async function findCheckoutRates(db: Queryable, place: { country: string; region: string | null }): Promise<CheckoutRates> {
  const { rows } = await db.query<CheckoutRatesRow>({
    name: 'checkout-rates',
    text: `SELECT ${checkoutRatesColumns({ country: '$1::text', region: '$2::text' })}`,
    values: [place.country, place.region],
  });
  return toCheckoutRates(rows[0]);
}
