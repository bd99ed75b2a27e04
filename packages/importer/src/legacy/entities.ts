import type { LegacyCustomer } from '@threadline/db/legacy';

import {
  parseAgeBand,
  parseBoolean,
  parseCount,
  parseCountry,
  parseDate,
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
  values: Record<string, Record<string, string>>;
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
    required: ['legacy_id', 'email', 'name'],
    optional: ['age_band', 'age', 'gender', 'country', 'region', 'state_province', 'customer_segment', 'marketing_consent', 'created_at'],
  },
  orders: {
    required: ['legacy_id', 'placed_at', 'status', 'quantity', 'unit_price'],
    optional: ['customer_legacy_id', 'customer_email', 'sku', 'product_legacy_id', 'size', 'colour', 'shipping', 'currency'],
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
    createdAt: createdAt ? parseDate(createdAt, 'created_at', rules.dateFormat, rules.timeZone) : null,
  };
}

/** A customer row as the repository writes it: one definition for parsing and storing. */
export type CustomerRow = LegacyCustomer;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function readCustomer(read: FieldReader, rules: ValueRules): CustomerRow {
  const email = required(read, 'email');
  if (!EMAIL.test(email) || email.length > 254) throw new RowError('email', `"${email}" is not an email address`);
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
    createdAt: createdAt ? parseDate(createdAt, 'created_at', rules.dateFormat, rules.timeZone) : null,
  };
}

export interface OrderLineRow {
  legacyId: string;
  customerLegacyId: string | undefined;
  customerEmail: string | undefined;
  placedAt: Date;
  status: string;
  sku: string | undefined;
  productLegacyId: string | undefined;
  size: string | undefined;
  colour: string | undefined;
  quantity: number;
  unitPriceCents: number;
  shippingCents: number;
}

export function readOrderLine(read: FieldReader, rules: ValueRules): OrderLineRow {
  const sku = optional(read, 'sku');
  const productLegacyId = optional(read, 'product_legacy_id');
  if (!sku && !productLegacyId) throw new RowError('sku', 'each line needs a sku or a product_legacy_id');
  const customerLegacyId = optional(read, 'customer_legacy_id');
  const customerEmail = optional(read, 'customer_email');
  const currency = optional(read, 'currency');
  if (currency && currency.toUpperCase() !== rules.currency) {
    throw new RowError('currency', `${currency} differs from the import currency ${rules.currency}; convert first or import per currency`);
  }
  const shipping = optional(read, 'shipping');
  return {
    legacyId: required(read, 'legacy_id'),
    customerLegacyId,
    customerEmail,
    placedAt: parseDate(required(read, 'placed_at'), 'placed_at', rules.dateFormat, rules.timeZone),
    status: parseStatus(required(read, 'status'), 'status', rules.values.status),
    sku,
    productLegacyId,
    size: optional(read, 'size'),
    colour: optional(read, 'colour'),
    quantity: parseCount(required(read, 'quantity'), 'quantity', { min: 1, max: 10_000 }),
    unitPriceCents: parseMoney(required(read, 'unit_price'), 'unit_price', rules.currency),
    shippingCents: shipping ? parseMoney(shipping, 'shipping', rules.currency) : 0,
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
    createdAt: createdAt ? parseDate(createdAt, 'created_at', rules.dateFormat, rules.timeZone) : null,
  };
}
