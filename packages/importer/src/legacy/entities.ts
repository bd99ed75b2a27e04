import type { LegacyCustomer } from '@threadline/db/legacy';
import type { StagedOrderLine } from '@threadline/db/legacy-bulk';

import {
  createDateReader,
  parseAgeBand,
  parseBoolean,
  parseCount,
  parseCountry,
  parseDecimalMoney,
  parseDiscountRate,
  parseGender,
  parseMoney,
  parseRegion,
  parseStatus,
  regionOfCountry,
  RowError,
} from './values.js';

export const ENTITIES = ['products', 'customers', 'orders', 'reviews'] as const;
export type Entity = (typeof ENTITIES)[number];

/** How values of one export are read: formats declared by the operator, never guessed. */
export interface ValueRules {
  dateFormat: string | undefined;
  timeZone: string;
  currency: string;
  /** translations of raw cell values, per field (any field, not only status) */
  values: Record<string, Record<string, string>>;
  /** values of fields the export has no column for, e.g. `{ "status": "delivered" }` */
  defaults?: Record<string, string>;
  /** split an order whose lines name different customers into one order per customer */
  splitMixedCustomers?: boolean;
}

// one memoised date reader per import (its rules): exports repeat the same dates over many rows
const dateReaders = new WeakMap<ValueRules, (text: string, column: string) => Date>();

function dateOf(rules: ValueRules, text: string, column: string): Date {
  let reader = dateReaders.get(rules);
  if (reader === undefined) {
    reader = createDateReader(rules.dateFormat, rules.timeZone);
    dateReaders.set(rules, reader);
  }
  return reader(text, column);
}

/** Reads a field of the current row; undefined when the export has no such column. */
export type FieldReader = (field: string) => string | undefined;

interface FieldSpec {
  required: readonly string[];
  optional: readonly string[];
}

/** The fields each export may carry; `resolveColumns` maps them to the export's headers. */
export const FIELDS: Record<Entity, FieldSpec> = {
  products: {
    required: ['legacy_id', 'name', 'category', 'price'],
    optional: ['description', 'seller_email', 'sku', 'size', 'colour', 'stock', 'created_at'],
  },
  customers: {
    required: ['legacy_id', 'name'],
    optional: ['email', 'age_band', 'age', 'gender', 'country', 'region', 'state_province', 'customer_segment', 'marketing_consent', 'created_at'],
  },
  orders: {
    required: ['legacy_id', 'placed_at', 'status', 'quantity'],
    optional: [
      // money: a line total (after discount, up to 4 decimals) or a unit price
      'line_total', 'unit_price', 'discount', 'cost', 'profit', 'shipping', 'currency',
      'customer_legacy_id', 'customer_email', 'customer_name', 'customer_segment',
      'sku', 'product_legacy_id', 'product_name', 'category', 'sub_category', 'size', 'colour', 'product_created_at',
      'shipped_at', 'ship_country', 'ship_region', 'ship_city', 'ship_postal_code', 'sales_territory',
      // the export's ship mode, mapped onto the shop's shipping method codes (values + a default)
      'shipping_method',
    ],
  },
  reviews: {
    required: ['legacy_id', 'order_legacy_id', 'rating'],
    optional: ['sku', 'product_legacy_id', 'title', 'body', 'created_at'],
  },
};

function required(read: FieldReader, field: string): string {
  const value = read(field)?.trim() ?? '';
  if (value === '') throw new RowError(field, 'is required');
  return value;
}

function optional(read: FieldReader, field: string): string | undefined {
  const value = read(field)?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function text(read: FieldReader, field: string, max: number): string | undefined {
  const value = optional(read, field);
  if (value !== undefined && value.length > max) throw new RowError(field, `is longer than ${max} characters`);
  return value;
}

export interface ProductRow {
  legacyId: string;
  name: string;
  category: string;
  description: string;
  sellerEmail: string | undefined;
  sku: string;
  size: string;
  colour: string;
  priceCents: number;
  stock: number;
  createdAt: Date | null;
}

export function readProduct(read: FieldReader, rules: ValueRules): ProductRow {
  const legacyId = required(read, 'legacy_id');
  const size = text(read, 'size', 20) ?? 'One size';
  const colour = text(read, 'colour', 40) ?? 'Default';
  const createdAt = optional(read, 'created_at');
  return {
    legacyId,
    name: text(read, 'name', 200) ?? required(read, 'name'),
    category: text(read, 'category', 100) ?? required(read, 'category'),
    description: text(read, 'description', 10_000) ?? '',
    sellerEmail: optional(read, 'seller_email'),
    // exports without SKUs get a stable one derived from the legacy id and the variant
    sku: text(read, 'sku', 64) ?? `LEGACY-${legacyId}-${size}-${colour}`.replace(/\s+/g, '_'),
    size,
    colour,
    priceCents: parseMoney(required(read, 'price'), 'price', rules.currency),
    stock: parseCount(optional(read, 'stock') ?? '0', 'stock', { min: 0, max: 1_000_000 }),
    createdAt: createdAt ? dateOf(rules, createdAt, 'created_at') : null,
  };
}

/** A customer row as the repository writes it: one definition for parsing and storing. */
export type CustomerRow = LegacyCustomer;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function readCustomer(read: FieldReader, rules: ValueRules): CustomerRow {
  // legacy exports often have no e-mail: such a customer is kept and can claim the account once one is added
  const email = optional(read, 'email') ?? null;
  if (email !== null && (!EMAIL.test(email) || email.length > 254)) throw new RowError('email', `"${email}" is not an email address`);
  const country = parseCountry(read('country') ?? '', 'country');
  const region = parseRegion(read('region') ?? '', 'region') ?? regionOfCountry(country);
  const ageText = optional(read, 'age_band') ?? optional(read, 'age') ?? '';
  const gender = optional(read, 'gender');
  const createdAt = optional(read, 'created_at');
  const consent = optional(read, 'marketing_consent');
  return {
    legacyId: required(read, 'legacy_id'),
    email,
    name: text(read, 'name', 100) ?? required(read, 'name'),
    ageBand: parseAgeBand(ageText, read('age_band') !== undefined ? 'age_band' : 'age'),
    gender: gender === undefined ? null : parseGender(gender, 'gender'),
    country,
    region,
    stateProvince: text(read, 'state_province', 100) ?? null,
    customerSegment: text(read, 'customer_segment', 100) ?? null,
    marketingConsent: consent === undefined ? false : parseBoolean(consent, 'marketing_consent'),
    createdAt: createdAt ? dateOf(rules, createdAt, 'created_at') : null,
  };
}

/**
 * The fields an order line carries unchanged from the export to the staging table
 * (`StagedOrderLine`): dates, status, money and ship-to, each as read and checked here.
 */
type StagedAsRead = Pick<
  StagedOrderLine,
  | 'placedAt'
  | 'shippedAt'
  | 'status'
  | 'productCreatedAt'
  | 'quantity'
  | 'lineTotalCents'
  | 'unitPriceCents'
  | 'discountRate'
  | 'costCents'
  | 'profitCents'
  | 'shippingCents'
  | 'shipCountry'
  | 'shipRegion'
  | 'shipCity'
  | 'shipPostalCode'
  | 'salesTerritory'
  | 'shippingMethod'
>;

/**
 * One parsed order line. Of the staged fields: `lineTotalCents` is the amount of record (the given
 * line total rounded once, or quantity × unit price), `unitPriceCents` is given or derived from the
 * line total (half to even), and `shippingMethod` is as written (after `values`), checked against
 * the shop's methods by resolveShippingMethods.
 */
export interface OrderLineRow extends StagedAsRead {
  legacyId: string;
  customerLegacyId: string | undefined;
  customerEmail: string | undefined;
  customerName: string | undefined;
  customerSegment: string | undefined;
  sku: string | undefined;
  productLegacyId: string | undefined;
  productName: string | undefined;
  category: string | undefined;
  subCategory: string | undefined;
  size: string | undefined;
  colour: string | undefined;
}

/** a / b rounded half to even, for integers (a ≥ 0, b > 0) */
function divideHalfEven(a: number, b: number): number {
  const quotient = Math.floor(a / b);
  const twice = 2 * (a - quotient * b);
  if (twice > b || (twice === b && quotient % 2 === 1)) return quotient + 1;
  return quotient;
}

/** A row reader for order lines; made once per import (it keeps a date cache). */
export function createOrderLineReader(rules: ValueRules): (read: FieldReader) => OrderLineRow {
  const date = createDateReader(rules.dateFormat, rules.timeZone);
  const money = { currency: rules.currency };
  return (read) => {
    const sku = optional(read, 'sku');
    const productLegacyId = optional(read, 'product_legacy_id');
    if (!sku && !productLegacyId) throw new RowError('sku', 'each line needs a sku or a product_legacy_id');
    const currency = optional(read, 'currency');
    if (currency && currency.toUpperCase() !== rules.currency) {
      throw new RowError('currency', `${currency} differs from the import currency ${rules.currency}; convert first or import per currency`);
    }
    const quantity = parseCount(required(read, 'quantity'), 'quantity', { min: 1, max: 10_000 });
    const lineTotalText = optional(read, 'line_total');
    const unitPriceText = optional(read, 'unit_price');
    if (lineTotalText === undefined && unitPriceText === undefined) {
      throw new RowError('line_total', 'each line needs a line_total or a unit_price');
    }
    const lineTotalCents = lineTotalText !== undefined
      ? parseDecimalMoney(lineTotalText, 'line_total', money)
      : parseMoney(unitPriceText ?? '', 'unit_price', rules.currency) * quantity;
    const unitPriceCents = lineTotalText !== undefined || unitPriceText === undefined
      ? divideHalfEven(lineTotalCents, quantity)
      : parseMoney(unitPriceText, 'unit_price', rules.currency);
    if (lineTotalCents > 2_000_000_000) throw new RowError('line_total', 'is too large');
    const placedAt = date(required(read, 'placed_at'), 'placed_at');
    const shipped = optional(read, 'shipped_at');
    const shippedAt = shipped ? date(shipped, 'shipped_at') : null;
    if (shippedAt && shippedAt.getTime() < placedAt.getTime() - 86_400_000) {
      throw new RowError('shipped_at', 'is before the order date');
    }
    const discount = optional(read, 'discount');
    const cost = optional(read, 'cost');
    const profit = optional(read, 'profit');
    const shipping = optional(read, 'shipping');
    const productCreated = optional(read, 'product_created_at');
    return {
      legacyId: required(read, 'legacy_id'),
      customerLegacyId: optional(read, 'customer_legacy_id'),
      customerEmail: optional(read, 'customer_email'),
      customerName: text(read, 'customer_name', 100),
      customerSegment: text(read, 'customer_segment', 100),
      placedAt,
      shippedAt,
      status: parseStatus(required(read, 'status'), 'status', rules.values.status),
      sku,
      productLegacyId,
      productName: text(read, 'product_name', 200),
      category: text(read, 'category', 100),
      subCategory: text(read, 'sub_category', 100),
      productCreatedAt: productCreated ? date(productCreated, 'product_created_at') : null,
      size: text(read, 'size', 20),
      colour: text(read, 'colour', 40),
      quantity,
      lineTotalCents,
      unitPriceCents,
      discountRate: discount === undefined ? null : parseDiscountRate(discount, 'discount'),
      costCents: cost === undefined ? null : parseDecimalMoney(cost, 'cost', money),
      profitCents: profit === undefined ? null : parseDecimalMoney(profit, 'profit', { ...money, allowNegative: true }),
      shippingCents: shipping ? parseMoney(shipping, 'shipping', rules.currency) : 0,
      shipCountry: parseCountry(read('ship_country') ?? '', 'ship_country'),
      shipRegion: text(read, 'ship_region', 100) ?? null,
      shipCity: text(read, 'ship_city', 100) ?? null,
      shipPostalCode: text(read, 'ship_postal_code', 20) ?? null,
      salesTerritory: text(read, 'sales_territory', 100) ?? null,
      shippingMethod: text(read, 'shipping_method', 80) ?? null,
    };
  };
}

export interface ReviewRow {
  legacyId: string;
  orderLegacyId: string;
  sku: string | undefined;
  productLegacyId: string | undefined;
  rating: number;
  title: string | null;
  body: string | null;
  createdAt: Date | null;
}

export function readReview(read: FieldReader, rules: ValueRules): ReviewRow {
  const createdAt = optional(read, 'created_at');
  return {
    legacyId: required(read, 'legacy_id'),
    orderLegacyId: required(read, 'order_legacy_id'),
    sku: optional(read, 'sku'),
    productLegacyId: optional(read, 'product_legacy_id'),
    rating: parseCount(required(read, 'rating'), 'rating', { min: 1, max: 5 }),
    title: text(read, 'title', 200) ?? null,
    body: text(read, 'body', 5000) ?? null,
    createdAt: createdAt ? dateOf(rules, createdAt, 'created_at') : null,
  };
}
