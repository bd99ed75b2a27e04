import type { StagedOrderLine } from '@threadline/db/legacy-bulk';
import { slugifyCategory } from '@threadline/db/legacy-bulk';

import type { OrderLineRow } from './entities.js';

export interface RejectedRow {
  row: number;
  column?: string;
  reason: string;
}

/** Something the import did on purpose that the operator should know: never a silent merge. */
export interface ImportWarning {
  rows: number[];
  column?: string;
  message: string;
}

/** A parsed line, or the reason it could not be parsed, with the order it belongs to. */
export type OrderLineResult =
  | { rowNumber: number; orderKey: string; value: OrderLineRow }
  | { rowNumber: number; orderKey: string; error: { column: string; reason: string } };

export interface OrderPlan {
  lines: StagedOrderLine[];
  rejected: RejectedRow[];
  warnings: ImportWarning[];
}

const MAX_LISTED_ROWS = 12;

/** Row numbers for a message: the first dozen, then how many more. */
export function listRows(rows: readonly number[]): string {
  const shown = rows.slice(0, MAX_LISTED_ROWS).join(', ');
  return rows.length > MAX_LISTED_ROWS ? `${shown} and ${rows.length - MAX_LISTED_ROWS} more` : shown;
}

/**
 * Rejects every row of a group written together (an order's lines, a product's variants): the
 * rows at fault with their reason, the others naming them ("order O-1 not imported: row 12 rejected").
 */
export function rejectGroup(
  label: string,
  rowNumbers: readonly number[],
  faults: ReadonlyArray<{ row: number; column?: string; reason: string }>,
): RejectedRow[] {
  const faultRows = new Set(faults.map((fault) => fault.row));
  const siblings = rowNumbers
    .filter((row) => !faultRows.has(row))
    .map((row) => ({ row, reason: `${label} not imported: row ${listRows([...faultRows].sort((a, b) => a - b))} rejected` }));
  return [...faults, ...siblings];
}

/** Rejects every row of an order: the row at fault with its reason, its siblings naming that row. */
export function rejectOrder(
  orderKey: string,
  rowNumbers: readonly number[],
  faults: ReadonlyArray<{ row: number; column?: string; reason: string }>,
): RejectedRow[] {
  return rejectGroup(`order ${orderKey}`, rowNumbers, faults);
}

function customerKey(line: OrderLineRow): string | undefined {
  return line.customerLegacyId ?? line.customerEmail?.toLowerCase();
}

type ParsedLine = Extract<OrderLineResult, { value: OrderLineRow }>;

/** Whether every line of an order agrees with its first on date, status, shipping method and customer. */
function isUniformOrder(lines: readonly ParsedLine[], first: OrderLineRow): boolean {
  const placedAt = first.placedAt.getTime();
  const customer = customerKey(first);
  for (const { value } of lines) {
    if (value.placedAt.getTime() !== placedAt || value.status !== first.status || value.shippingMethod !== first.shippingMethod
      || customerKey(value) !== customer) return false;
  }
  return true;
}

/**
 * Keys that carry more than one value in the file (a product id with two names, a customer id
 * with two names): the latest by order date wins, and each becomes a warning naming the rows.
 * A first pass finds those keys (one lookup a line); only their lines are then collected.
 */
function findRenames(
  lines: ReadonlyArray<{ rowNumber: number; value: OrderLineRow }>,
  pick: { key: (line: OrderLineRow) => string | undefined; value: (line: OrderLineRow) => string | undefined },
  describe: (key: string, variants: string, kept: string) => string,
  column: string,
): ImportWarning[] {
  const firstName = new Map<string, string>();
  const renamed = new Set<string>();
  for (const { value } of lines) {
    const key = pick.key(value);
    const name = pick.value(value);
    if (key === undefined || name === undefined) continue;
    const seen = firstName.get(key);
    if (seen === undefined) firstName.set(key, name);
    else if (seen !== name) renamed.add(key);
  }
  if (renamed.size === 0) return [];
  const byKey = new Map<string, Map<string, { rows: number[]; last: number }>>();
  for (const { rowNumber, value } of lines) {
    const key = pick.key(value);
    const name = pick.value(value);
    if (key === undefined || name === undefined || !renamed.has(key)) continue;
    const names = byKey.get(key) ?? new Map<string, { rows: number[]; last: number }>();
    const seen = names.get(name) ?? { rows: [], last: Number.NEGATIVE_INFINITY };
    seen.rows.push(rowNumber);
    seen.last = Math.max(seen.last, value.placedAt.getTime());
    names.set(name, seen);
    byKey.set(key, names);
  }
  const warnings: ImportWarning[] = [];
  for (const [key, names] of byKey) {
    if (names.size < 2) continue;
    const ordered = [...names.entries()].sort((a, b) => a[1].last - b[1].last || Math.max(...a[1].rows) - Math.max(...b[1].rows));
    const kept = ordered[ordered.length - 1]![0]; // at least two entries
    const variants = ordered.map(([name, seen]) => `"${name}" (rows ${listRows(seen.rows)})`).join(', ');
    warnings.push({ rows: ordered.flatMap(([, seen]) => seen.rows).sort((a, b) => a - b), column, message: describe(key, variants, kept) });
  }
  return warnings;
}

/**
 * Decides, before anything is written, what happens to each order of a line-per-row export:
 * orders with a bad line are dropped whole; lines that disagree on date or status reject their
 * order; lines that name different customers reject it, or split it into one order per customer
 * when asked (`isSplitting`) — always reported with row numbers. Pure: data in, plan out.
 */
export function planOrders(results: readonly OrderLineResult[], options: { isSplitting: boolean }): OrderPlan {
  const rejected: RejectedRow[] = [];
  const warnings: ImportWarning[] = [];
  const groups = new Map<string, OrderLineResult[]>();
  for (const result of results) {
    const group = groups.get(result.orderKey);
    if (group === undefined) groups.set(result.orderKey, [result]);
    else group.push(result);
  }
  const kept: Array<{ rowNumber: number; value: OrderLineRow; orderKey: string; splitOf: string | null }> = [];
  for (const [orderKey, group] of groups) {
    // the lines as parsed (no copy of each): a line of a group either parsed or failed
    const lines: ParsedLine[] = [];
    for (const line of group) if ('value' in line) lines.push(line);
    if (lines.length < group.length || orderKey === '') {
      const faults = group.flatMap((line) => ('error' in line ? [{ row: line.rowNumber, ...line.error }] : []));
      rejected.push(...rejectOrder(orderKey || '(no order id)', group.map((line) => line.rowNumber), faults));
      continue;
    }
    const first = lines[0]!.value; // a group has at least one line and none failed
    if (isUniformOrder(lines, first)) {
      // the usual order: every line agrees on date, status, method and customer (one pass, no lists)
      for (const { rowNumber, value } of lines) kept.push({ rowNumber, value, orderKey, splitOf: null });
      continue;
    }
    const rowNumbers = group.map((line) => line.rowNumber);
    const disagreeing = lines.filter(({ value }) => value.placedAt.getTime() !== first.placedAt.getTime() || value.status !== first.status
      || value.shippingMethod !== first.shippingMethod);
    if (disagreeing.length > 0) {
      rejected.push(
        ...rejectOrder(orderKey, rowNumbers, disagreeing.map(({ rowNumber }) => ({
          row: rowNumber,
          column: 'placed_at',
          reason: `lines of order ${orderKey} disagree on date, status or shipping method (row ${lines[0]!.rowNumber} differs)`,
        }))),
      );
      continue;
    }
    const byCustomer = new Map<string | undefined, number[]>();
    for (const { rowNumber, value } of lines) {
      const key = customerKey(value);
      byCustomer.set(key, [...(byCustomer.get(key) ?? []), rowNumber]);
    }
    if (byCustomer.size > 1) {
      const described = [...byCustomer.entries()].map(([key, rows]) => `${key ?? 'no customer'} on ${rows.length === 1 ? 'row' : 'rows'} ${listRows(rows)}`).join('; ');
      if (!options.isSplitting) {
        rejected.push(
          ...rowNumbers.map((row) => ({
            row,
            column: 'customer_legacy_id',
            reason: `lines of order ${orderKey} name different customers (${described}); fix the export or pass --split-mixed-customers`,
          })),
        );
        continue;
      }
      const firstKey = customerKey(first);
      for (const { rowNumber, value } of lines) {
        const key = customerKey(value);
        const isFirst = key === firstKey;
        kept.push({ rowNumber, value, orderKey: isFirst ? orderKey : `${orderKey}/${key ?? 'guest'}`, splitOf: isFirst ? null : orderKey });
      }
      warnings.push({
        rows: rowNumbers,
        column: 'customer_legacy_id',
        message: `order ${orderKey} split by customer (${described}); the parts are ${[...byCustomer.keys()].map((key) => (key === firstKey ? orderKey : `${orderKey}/${key ?? 'guest'}`)).join(', ')}`,
      });
      continue;
    }
    for (const { rowNumber, value } of lines) kept.push({ rowNumber, value, orderKey, splitOf: null });
  }
  warnings.push(
    ...findRenames(
      kept,
      { key: (line) => line.productLegacyId ?? line.sku, value: (line) => line.productName },
      (key, variants, name) => `product ${key} has several names: ${variants}; kept "${name}" (latest sale), earlier names listed in its name history`,
      'product_name',
    ),
    ...findRenames(
      kept,
      { key: (line) => line.customerLegacyId, value: (line) => line.customerName },
      (key, variants, name) => `customer ${key} has several names: ${variants}; kept "${name}" (latest order)`,
      'customer_name',
    ),
  );
  // a file names a few dozen categories and one SKU per product, size and colour: each is worked
  // out once, not once per line
  const slugs = new Map<string, string>();
  const slugOf = (text: string): string => {
    let slug = slugs.get(text);
    if (slug === undefined) slugs.set(text, (slug = slugifyCategory(text)));
    return slug;
  };
  const derivedSkus = new Map<string, string>();
  const derivedSkuOf = (productLegacyId: string, size: string | undefined, colour: string | undefined): string => {
    const spelled = `LEGACY-${productLegacyId}-${size ?? 'One size'}-${colour ?? 'Default'}`;
    let sku = derivedSkus.get(spelled);
    if (sku === undefined) derivedSkus.set(spelled, (sku = spelled.replace(/\s+/g, '_')));
    return sku;
  };
  const staged = kept.map(({ rowNumber, value, orderKey, splitOf }): StagedOrderLine => ({
    rowNumber,
    orderKey,
    splitOf,
    customerLegacyId: value.customerLegacyId ?? null,
    customerEmail: value.customerEmail ?? null,
    customerName: value.customerName ?? null,
    customerSegment: value.customerSegment ?? null,
    productLegacyId: value.productLegacyId ?? null,
    sku: value.sku ?? null,
    variantSku: value.sku ?? (value.productName !== undefined && value.productLegacyId !== undefined
      ? derivedSkuOf(value.productLegacyId, value.size, value.colour)
      : null),
    size: value.size ?? null,
    colour: value.colour ?? null,
    productName: value.productName ?? null,
    categorySlug: value.category ? slugOf(value.category) : null,
    categoryName: value.category ?? null,
    subCategorySlug: value.subCategory ? slugOf(value.category ? `${value.category} ${value.subCategory}` : value.subCategory) : null,
    subCategoryName: value.subCategory ?? null,
    productCreatedAt: value.productCreatedAt,
    placedAt: value.placedAt,
    shippedAt: value.shippedAt,
    status: value.status,
    quantity: value.quantity,
    lineTotalCents: value.lineTotalCents,
    unitPriceCents: value.unitPriceCents,
    discountRate: value.discountRate,
    costCents: value.costCents,
    profitCents: value.profitCents,
    shippingCents: value.shippingCents,
    shipCountry: value.shipCountry,
    shipRegion: value.shipRegion,
    shipCity: value.shipCity,
    shipPostalCode: value.shipPostalCode,
    salesTerritory: value.salesTerritory,
    shippingMethod: value.shippingMethod,
  }));
  return { lines: staged, rejected, warnings };
}
