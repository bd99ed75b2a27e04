import type { StagedProductRow } from '@threadline/db/legacy-products-bulk';
import { slugifyCategory } from '@threadline/db/legacy-bulk';

import type { ProductRow } from './entities.js';
import { listRows, rejectGroup, type RejectedRow } from './plan-orders.js';

const PRODUCT_FIELDS = [
  ['name', (row: ProductRow) => row.name],
  ['category', (row: ProductRow) => row.category],
  ['description', (row: ProductRow) => row.description],
  ['seller_email', (row: ProductRow) => row.sellerEmail?.toLowerCase() ?? ''],
  ['created_at', (row: ProductRow) => row.createdAt?.toISOString() ?? ''],
] as const;

/**
 * Decides, before anything is written, which product rows (one per variant) are kept: a product
 * whose rows disagree on its own fields (name, category, description, seller, creation date), or
 * that shares a SKU with another row of the file, is rejected whole and named with its rows —
 * never "the first row wins". Pure: data in, plan out.
 */
export function planProducts(parsed: ReadonlyArray<{ rowNumber: number; value: ProductRow }>): { rows: StagedProductRow[]; rejected: RejectedRow[] } {
  const groups = new Map<string, Array<{ rowNumber: number; value: ProductRow }>>();
  for (const row of parsed) groups.set(row.value.legacyId, [...(groups.get(row.value.legacyId) ?? []), row]);
  const skuRows = new Map<string, number[]>();
  for (const { rowNumber, value } of parsed) skuRows.set(value.sku, [...(skuRows.get(value.sku) ?? []), rowNumber]);
  const rejected: RejectedRow[] = [];
  const rows: StagedProductRow[] = [];
  for (const [legacyId, group] of groups) {
    const first = group[0]!.value; // a group has at least one row
    const faults = new Map<number, { row: number; column: string; reason: string }>();
    for (const { rowNumber, value } of group.slice(1)) {
      const field = PRODUCT_FIELDS.find(([, pick]) => pick(value) !== pick(first));
      if (field) faults.set(rowNumber, { row: rowNumber, column: field[0], reason: `rows of product ${legacyId} disagree on ${field[0]} (row ${group[0]!.rowNumber} differs)` });
    }
    for (const { rowNumber, value } of group) {
      const same = skuRows.get(value.sku) ?? [];
      if (same.length > 1 && !faults.has(rowNumber)) faults.set(rowNumber, { row: rowNumber, column: 'sku', reason: `sku ${value.sku} appears on rows ${listRows(same)}` });
    }
    if (faults.size > 0) {
      rejected.push(...rejectGroup(`product ${legacyId}`, group.map((row) => row.rowNumber), [...faults.values()]));
      continue;
    }
    for (const { rowNumber, value } of group) {
      rows.push({
        rowNumber,
        legacyId,
        name: value.name,
        categorySlug: slugifyCategory(value.category),
        categoryName: value.category,
        description: value.description,
        sellerEmail: value.sellerEmail ?? null,
        sku: value.sku,
        size: value.size,
        colour: value.colour,
        priceCents: value.priceCents,
        stock: value.stock,
        createdAt: value.createdAt,
      });
    }
  }
  return { rows, rejected };
}
