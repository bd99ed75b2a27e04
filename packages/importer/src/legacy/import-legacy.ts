import type { Pool, PoolClient } from '@threadline/db';
import { refreshProductCounters, prepareBulkImport } from '@threadline/db/legacy';
import {
  dropStagedOrders,
  listShippingMethodCodes,
  resolveStagedLines,
  stageOrderLines,
  upsertStagedCustomers,
  upsertStagedProducts,
  writeStagedOrders,
} from '@threadline/db/legacy-bulk';
import { dropStagedCustomers, findCustomerConflicts, stageCustomers, writeStagedCustomers } from '@threadline/db/legacy-customers-bulk';
import { dropStagedProducts, findProductFaults, stageProducts, writeStagedProducts } from '@threadline/db/legacy-products-bulk';
import { stageReviews, writeStagedReviews } from '@threadline/db/legacy-reviews-bulk';

import {
  createOrderLineReader,
  FIELDS,
  readCustomer,
  readProduct,
  readReview,
  type Entity,
  type FieldReader,
  type ProductRow,
  type ReviewRow,
  type ValueRules,
} from './entities.js';
import { resolveColumns, type Mapping } from './mapping.js';
import { planOrders, rejectGroup, rejectOrder, type ImportWarning, type OrderLineResult, type RejectedRow } from './plan-orders.js';
import { planProducts } from './plan-products.js';
import { readTable, SourceFileError, type SourceRow } from './read-table.js';
import { createStageClock } from '../stage-clock.js';
import { resolveShippingMethods } from './shipping-methods.js';
import { RowError } from './values.js';

export type { ImportWarning, RejectedRow };

export interface ImportReport {
  entity: Entity;
  file: string;
  rowsRead: number;
  created: number;
  updated: number;
  rejected: RejectedRow[];
  /** what the import did on purpose and the operator should know (renames kept as history, splits) */
  warnings: ImportWarning[];
  isDryRun: boolean;
  /** false when nothing was written: dry run, or rejected rows without --skip-bad-rows */
  isCommitted: boolean;
  /** seconds per stage (read, parse, stage, write…): where an import spends its time */
  stages: Record<string, number>;
}

export interface ImportOptions {
  entity: Entity;
  file: string;
  mapping: Mapping;
  rules: ValueRules;
  isDryRun: boolean;
  skipBadRows: boolean;
  onProgress?: (done: number, total: number) => void;
}

type Parsed<T> = { rowNumber: number; value: T };

interface Counters {
  created: number;
  updated: number;
  touchedProducts: Set<number>;
}

/** How one field is read: its column and value translations, or its default when unmapped. */
type FieldSource = { header: string; translations: Record<string, string> | undefined } | { header: undefined; fallback: string | undefined };

/**
 * Reads fields of a row through the mapping: the mapped column, its value translated by `values`
 * (for any field), or the field's default when the export has no such column. Where each field
 * comes from is worked out once per import, not once per cell.
 */
function createFieldReader(columns: Map<string, string>, rules: ValueRules): (row: SourceRow) => FieldReader {
  const sources = new Map<string, FieldSource>();
  const sourceOf = (field: string): FieldSource => {
    let source = sources.get(field);
    if (source === undefined) {
      const header = columns.get(field);
      source = header === undefined ? { header, fallback: rules.defaults?.[field] } : { header, translations: rules.values[field] };
      sources.set(field, source);
    }
    return source;
  };
  return (row) => (field) => {
    const source = sourceOf(field);
    if (source.header === undefined) return source.fallback;
    const raw = row.cells[source.header];
    if (raw === undefined || source.translations === undefined) return raw;
    return source.translations[raw.trim()] ?? raw;
  };
}

function parseRows<T>(rows: SourceRow[], columns: Map<string, string>, rules: ValueRules, read: (reader: FieldReader) => T, rejected: RejectedRow[]): Array<Parsed<T>> {
  const parsed: Array<Parsed<T>> = [];
  const readerOf = createFieldReader(columns, rules);
  for (const row of rows) {
    try {
      parsed.push({ rowNumber: row.rowNumber, value: read(readerOf(row)) });
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      rejected.push({ row: row.rowNumber, column: error.column, reason: error.message });
    }
  }
  return parsed;
}

/**
 * Products (one row per variant), set-based: rows of a product that disagree, or share a SKU, are
 * rejected with their product; the rest are COPYed into staging; products whose seller or SKUs
 * fail against the database are dropped whole and named; the rest are upserted in a few statements.
 */
async function importProducts(
  client: PoolClient,
  input: { rows: Array<Parsed<ProductRow>>; rejected: RejectedRow[]; lap: (stage: string) => void },
): Promise<{ created: number; updated: number; productIds: number[] }> {
  const plan = planProducts(input.rows);
  input.rejected.push(...plan.rejected);
  input.lap('parse');
  if (plan.rows.length === 0) return { created: 0, updated: 0, productIds: [] };
  await stageProducts(client, plan.rows);
  input.lap('copy');
  const faults = await findProductFaults(client);
  if (faults.length > 0) {
    const rowsOfProduct = new Map<string, number[]>();
    for (const row of plan.rows) rowsOfProduct.set(row.legacyId, [...(rowsOfProduct.get(row.legacyId) ?? []), row.rowNumber]);
    const faultsOfProduct = new Map<string, RejectedRow[]>();
    for (const fault of faults) {
      faultsOfProduct.set(fault.legacyId, [...(faultsOfProduct.get(fault.legacyId) ?? []), { row: fault.rowNumber, column: fault.column, reason: fault.reason }]);
    }
    for (const [legacyId, found] of faultsOfProduct) input.rejected.push(...rejectGroup(`product ${legacyId}`, rowsOfProduct.get(legacyId) ?? [], found));
    await dropStagedProducts(client, [...faultsOfProduct.keys()]);
  }
  input.lap('resolve');
  const written = await writeStagedProducts(client);
  input.lap('write');
  return written;
}

/**
 * Reviews, set-based: a legacy id given twice is rejected on its later rows (never merged), the
 * rest are staged, placed on the order line they are about, and those that cannot be placed
 * (unknown SKU or product, no such line in the order, a line already reviewed) are named.
 */
async function importReviews(
  client: PoolClient,
  input: { rows: Array<Parsed<ReviewRow>>; rejected: RejectedRow[]; lap: (stage: string) => void },
): Promise<{ created: number; updated: number; productIds: number[] }> {
  const firstRow = new Map<string, number>();
  const kept: Array<Parsed<ReviewRow>> = [];
  for (const row of input.rows) {
    const seen = firstRow.get(row.value.legacyId);
    if (seen === undefined) {
      firstRow.set(row.value.legacyId, row.rowNumber);
      kept.push(row);
    } else {
      input.rejected.push({ row: row.rowNumber, column: 'legacy_id', reason: `review ${row.value.legacyId} is already on row ${seen}` });
    }
  }
  input.lap('parse');
  if (kept.length === 0) return { created: 0, updated: 0, productIds: [] };
  const faults = await stageReviews(client, kept.map(({ rowNumber, value }) => ({
    rowNumber,
    legacyId: value.legacyId,
    orderLegacyId: value.orderLegacyId,
    sku: value.sku ?? null,
    productLegacyId: value.productLegacyId ?? null,
    rating: value.rating,
    title: value.title,
    body: value.body,
    createdAt: value.createdAt,
  })));
  for (const fault of faults) input.rejected.push({ row: fault.rowNumber, column: fault.column, reason: fault.reason });
  input.lap('resolve');
  const written = await writeStagedReviews(client, faults.map((fault) => fault.rowNumber));
  input.lap('write');
  return written;
}

/**
 * Order lines, set-based: parse every row, decide per order (whole orders are kept or dropped),
 * COPY the kept lines into staging, create the products and customers the lines name, resolve
 * references, drop orders with unknown ones, then upsert orders and lines in a few statements.
 */
async function importOrderLines(
  client: PoolClient,
  input: { rows: SourceRow[]; columns: Map<string, string>; rules: ValueRules; rejected: RejectedRow[]; warnings: ImportWarning[]; lap: (stage: string) => void },
): Promise<{ created: number; updated: number; productIds: number[] }> {
  const readLine = createOrderLineReader(input.rules);
  const readerOf = createFieldReader(input.columns, input.rules);
  const parsed: OrderLineResult[] = input.rows.map((row) => {
    const read = readerOf(row);
    const orderKey = read('legacy_id')?.trim() ?? '';
    try {
      return { rowNumber: row.rowNumber, orderKey, value: readLine(read) };
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      return { rowNumber: row.rowNumber, orderKey, error: { column: error.column, reason: error.message } };
    }
  });
  const fallback = input.rules.defaults?.shipping_method;
  const shipping = input.columns.has('shipping_method') || fallback !== undefined
    ? resolveShippingMethods(parsed, { codes: await listShippingMethodCodes(client), fallback })
    : { results: parsed, warnings: [] };
  input.warnings.push(...shipping.warnings);
  const plan = planOrders(shipping.results, { isSplitting: input.rules.splitMixedCustomers ?? false });
  input.rejected.push(...plan.rejected);
  input.warnings.push(...plan.warnings);
  input.lap('parse');
  if (plan.lines.length === 0) return { created: 0, updated: 0, productIds: [] };
  await stageOrderLines(client, plan.lines);
  input.lap('copy');
  if (plan.lines.some((line) => line.productName !== null)) await upsertStagedProducts(client);
  input.lap('products');
  if (plan.lines.some((line) => line.customerName !== null)) await upsertStagedCustomers(client);
  input.lap('customers');
  const unresolved = await resolveStagedLines(client);
  input.lap('resolve');
  if (unresolved.length > 0) {
    const rowsOfOrder = new Map<string, number[]>();
    for (const line of plan.lines) rowsOfOrder.set(line.orderKey, [...(rowsOfOrder.get(line.orderKey) ?? []), line.rowNumber]);
    const faultsOfOrder = new Map<string, RejectedRow[]>();
    for (const line of unresolved) {
      faultsOfOrder.set(line.orderKey, [...(faultsOfOrder.get(line.orderKey) ?? []), { row: line.rowNumber, column: line.column, reason: line.reason }]);
    }
    for (const [orderKey, faults] of faultsOfOrder) input.rejected.push(...rejectOrder(orderKey, rowsOfOrder.get(orderKey) ?? [], faults));
    await dropStagedOrders(client, [...faultsOfOrder.keys()]);
  }
  const written = await writeStagedOrders(client, input.rules.currency);
  input.lap('write');
  return written;
}

/**
 * Imports one legacy export (products, customers, orders or reviews) into the shop database.
 * All-or-nothing per file unless `skipBadRows`; idempotent by legacy id; `isDryRun` validates
 * everything, including references to other data, and writes nothing.
 */
export async function importLegacyFile(pool: Pool, options: ImportOptions): Promise<ImportReport> {
  const clock = createStageClock();
  const rows: SourceRow[] = [];
  for await (const row of readTable(options.file)) rows.push(row);
  clock.lap('read');
  const firstRow = rows[0];
  if (!firstRow) throw new SourceFileError(`${options.file}: no data rows below the header`);
  const spec = FIELDS[options.entity];
  const headers = Object.keys(firstRow.cells);
  const { columns, missing } = resolveColumns(headers, [...spec.required, ...spec.optional], options.mapping);
  const missingRequired = missing.filter((field) => spec.required.some((name) => field.startsWith(name)));
  if (missingRequired.length > 0) {
    throw new SourceFileError(
      `${options.file}: no column for ${missingRequired.join(', ')} (headers: ${headers.join(', ')}); map them with --map`,
    );
  }

  const rejected: RejectedRow[] = [];
  const warnings: ImportWarning[] = [];
  const counters: Counters = { created: 0, updated: 0, touchedProducts: new Set() };
  const client = await pool.connect();
  let isCommitted = false;
  try {
    await client.query('BEGIN');
    await prepareBulkImport(client);
    const rules = options.rules;
    let done = 0;
    const progress = (count: number): void => {
      done += count;
      options.onProgress?.(done, rows.length);
    };
    if (options.entity === 'products') {
      const written = await importProducts(client, { rows: parseRows(rows, columns, rules, (read) => readProduct(read, rules), rejected), rejected, lap: clock.lap });
      counters.created += written.created;
      counters.updated += written.updated;
      // units sold and ratings count order lines and reviews, which a products export does not touch
      progress(rows.length);
    } else if (options.entity === 'customers') {
      const parsed = parseRows(rows, columns, rules, (read) => readCustomer(read, rules), rejected);
      clock.lap('parse');
      if (parsed.length > 0) {
        await stageCustomers(client, parsed.map(({ rowNumber, value }) => ({ ...value, rowNumber })));
        const conflicts = await findCustomerConflicts(client);
        for (const conflict of conflicts) rejected.push({ row: conflict.rowNumber, column: 'email', reason: conflict.reason });
        await dropStagedCustomers(client, conflicts.map((conflict) => conflict.rowNumber));
        const written = await writeStagedCustomers(client);
        counters.created += written.created;
        counters.updated += written.updated;
      }
      clock.lap('write');
      progress(rows.length);
    } else if (options.entity === 'orders') {
      const written = await importOrderLines(client, { rows, columns, rules, rejected, warnings, lap: clock.lap });
      counters.created += written.created;
      counters.updated += written.updated;
      for (const id of written.productIds) counters.touchedProducts.add(id);
      progress(rows.length);
    } else {
      const written = await importReviews(client, { rows: parseRows(rows, columns, rules, (read) => readReview(read, rules), rejected), rejected, lap: clock.lap });
      counters.created += written.created;
      counters.updated += written.updated;
      for (const id of written.productIds) counters.touchedProducts.add(id);
      progress(rows.length);
    }
    await refreshProductCounters(client, [...counters.touchedProducts]);
    clock.lap('counters');
    if (options.isDryRun || (rejected.length > 0 && !options.skipBadRows)) {
      await client.query('ROLLBACK');
    } else {
      await client.query('COMMIT');
      isCommitted = true;
      clock.lap('commit');
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  rejected.sort((a, b) => a.row - b.row);
  return {
    entity: options.entity,
    file: options.file,
    rowsRead: rows.length,
    created: counters.created,
    updated: counters.updated,
    rejected,
    warnings,
    isDryRun: options.isDryRun,
    isCommitted,
    stages: clock.stages,
  };
}
