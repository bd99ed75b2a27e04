import { centsToDollarText, parseDollarsToCents } from '../../lib/money';
import type { Variant } from '../../lib/types';
import type { VariantInput } from './seller-api';

/** One editable row of the variants table: text as typed, converted on save. */
export interface VariantRow {
  key: string;
  id?: number;
  size: string;
  colour: string;
  price: string;
  stock: string;
}

let nextKey = 0;
export function newRow(seed: Partial<VariantRow> = {}): VariantRow {
  nextKey += 1;
  return { key: `row-${nextKey}`, size: '', colour: '', price: '', stock: '0', ...seed };
}

export function rowsFromVariants(variants: readonly Pick<Variant, 'id' | 'size' | 'colour' | 'price' | 'stock'>[]): VariantRow[] {
  return variants.map((v) => newRow({ id: v.id, size: v.size, colour: v.colour, price: centsToDollarText(v.price), stock: String(v.stock) }));
}

export type RowErrors = Record<string, Partial<Record<'size' | 'colour' | 'price' | 'stock', string>>>;

/**
 * Checks the table and converts it to the API's variants (price in cents). Duplicate size ×
 * colour pairs are caught here because the API would refuse them anyway.
 */
export function readRows(rows: VariantRow[]): { variants?: VariantInput[]; errors: RowErrors; tableError?: string } {
  const errors: RowErrors = {};
  const seen = new Set<string>();
  const variants: VariantInput[] = [];
  if (rows.length === 0) return { errors, tableError: 'Add at least one variant (a size and colour with a price).' };
  for (const row of rows) {
    const rowErrors: RowErrors[string] = {};
    if (!row.size.trim()) rowErrors.size = 'Size is required.';
    if (!row.colour.trim()) rowErrors.colour = 'Colour is required.';
    const price = parseDollarsToCents(row.price);
    if (price === null) rowErrors.price = 'Enter a price like 49.99.';
    else if (price === 0) rowErrors.price = 'The price must be above $0.';
    const stock = Number(row.stock);
    if (!/^\d{1,6}$/.test(row.stock.trim())) rowErrors.stock = 'Enter a whole number, 0 or more.';
    const pair = `${row.size.trim().toLowerCase()}|${row.colour.trim().toLowerCase()}`;
    if (row.size.trim() && row.colour.trim() && seen.has(pair)) rowErrors.size = 'This size and colour are already listed.';
    seen.add(pair);
    if (Object.keys(rowErrors).length > 0) errors[row.key] = rowErrors;
    else if (price !== null) variants.push({ ...(row.id ? { id: row.id } : {}), size: row.size.trim(), colour: row.colour.trim(), price, stock });
  }
  return Object.keys(errors).length > 0 ? { errors } : { variants, errors };
}
