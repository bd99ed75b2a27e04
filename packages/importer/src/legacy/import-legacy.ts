import type { Pool, PoolClient } from '@threadline/db';
import {
  ensureLegacySeller,
  findOrderItem,
  findProductByLegacyId,
  findSellerByEmail,
  findVariant,
  refreshProductCounters,
  upsertCategoryByName,
  upsertLegacyProduct,
  upsertLegacyReview,
  upsertLegacyVariant,
} from '@threadline/db/legacy';
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

import {
  createOrderLineReader,
  FIELDS,
  readCustomer,
  readProduct,
  readReview,
  type Entity,
  type FieldReader,
  type ProductRow,
  type ValueRules,
} from './entities.js';
import { resolveColumns, type Mapping } from './mapping.js';
import { planOrders, rejectOrder, type ImportWarning, type OrderLineResult, type RejectedRow } from './plan-orders.js';
import { readTable, SourceFileError, type SourceRow } from './read-table.js';
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

/** A group of rows written together (a product's variants, an order's lines) or rejected together. */
interface Group<T> {
  key: string;
  rows: Array<Parsed<T>>;
}

function groupBy<T>(rows: Array<Parsed<T>>, key: (value: T) => string): Array<Group<T>> {
  const groups = new Map<string, Group<T>>();
  for (const row of rows) {
    const id = key(row.value);
    const group = groups.get(id) ?? { key: id, rows: [] };
    group.rows.push(row);
    groups.set(id, group);
  }
  return [...groups.values()];
}

class GroupError extends Error {
  constructor(
    readonly rowNumbers: number[],
    readonly column: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

interface Counters {
  created: number;
  updated: number;
  touchedProducts: Set<number>;
}

async function writeProducts(client: PoolClient, group: Group<ProductRow>, counters: Counters): Promise<void> {
  const first = group.rows[0]!.value; // groups are never empty
  const rowNumbers = group.rows.map((row) => row.rowNumber);
  let sellerId: number;
  if (first.sellerEmail) {
    const found = await findSellerByEmail(client, first.sellerEmail);
    if (found === undefined) throw new GroupError(rowNumbers, 'seller_email', `no seller account ${first.sellerEmail}`);
    sellerId = found;
  } else {
    sellerId = await ensureLegacySeller(client);
  }
  const categoryId = await upsertCategoryByName(client, first.category);
  const product = await upsertLegacyProduct(client, {
    legacyId: first.legacyId,
    sellerId,
    categoryId,
    name: first.name,
    description: first.description,
    createdAt: first.createdAt,
  });
  counters[product.isNew ? 'created' : 'updated'] += 1;
  counters.touchedProducts.add(product.id);
  for (const { value } of group.rows) {
    await upsertLegacyVariant(client, { productId: product.id, ...value });
  }
}

/**
 * Reads fields of one row through the mapping: the mapped column, its value translated by
 * `values` (for any field), or the field's default when the export has no such column.
 */
function fieldReader(row: SourceRow, columns: Map<string, string>, rules: ValueRules): FieldReader {
  return (field) => {
    const header = columns.get(field);
    if (header === undefined) return rules.defaults?.[field];
    const raw = row.cells[header];
    if (raw === undefined) return undefined;
    const translations = rules.values[field];
    return translations === undefined ? raw : (translations[raw.trim()] ?? raw);
  };
}

function parseRows<T>(rows: SourceRow[], columns: Map<string, string>, rules: ValueRules, read: (reader: FieldReader) => T, rejected: RejectedRow[]): Array<Parsed<T>> {
  const parsed: Array<Parsed<T>> = [];
  for (const row of rows) {
    try {
      parsed.push({ rowNumber: row.rowNumber, value: read(fieldReader(row, columns, rules)) });
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      rejected.push({ row: row.rowNumber, column: error.column, reason: error.message });
    }
  }
  return parsed;
}

/**
 * Order lines, set-based: parse every row, decide per order (whole orders are kept or dropped),
 * COPY the kept lines into staging, create the products and customers the lines name, resolve
 * references, drop orders with unknown ones, then upsert orders and lines in a few statements.
 */
async function importOrderLines(
  client: PoolClient,
  input: { rows: SourceRow[]; columns: Map<string, string>; rules: ValueRules; rejected: RejectedRow[]; warnings: ImportWarning[] },
): Promise<{ created: number; updated: number; productIds: number[] }> {
  const readLine = createOrderLineReader(input.rules);
  const parsed: OrderLineResult[] = input.rows.map((row) => {
    const read = fieldReader(row, input.columns, input.rules);
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
  if (plan.lines.length === 0) return { created: 0, updated: 0, productIds: [] };
  await stageOrderLines(client, plan.lines);
  if (plan.lines.some((line) => line.productName !== null)) await upsertStagedProducts(client);
  if (plan.lines.some((line) => line.customerName !== null)) await upsertStagedCustomers(client);
  const unresolved = await resolveStagedLines(client);
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
  return writeStagedOrders(client, input.rules.currency);
}

/**
 * Imports one legacy export (products, customers, orders or reviews) into the shop database.
 * All-or-nothing per file unless `skipBadRows`; idempotent by legacy id; `isDryRun` validates
 * everything, including references to other data, and writes nothing.
 */
export async function importLegacyFile(pool: Pool, options: ImportOptions): Promise<ImportReport> {
  const rows: SourceRow[] = [];
  for await (const row of readTable(options.file)) rows.push(row);
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
    const runGroup = async (rowNumbers: number[], work: () => Promise<void>): Promise<void> => {
      await client.query('SAVEPOINT import_group');
      try {
        await work();
        await client.query('RELEASE SAVEPOINT import_group');
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT import_group');
        if (error instanceof GroupError) {
          for (const row of error.rowNumbers) rejected.push({ row, ...(error.column ? { column: error.column } : {}), reason: error.message });
        } else if (error instanceof RowError) {
          for (const row of rowNumbers) rejected.push({ row, column: error.column, reason: error.message });
        } else {
          const message = error instanceof Error ? error.message : String(error);
          for (const row of rowNumbers) rejected.push({ row, reason: `database refused the row: ${message}` });
        }
      }
    };
    const rules = options.rules;
    let done = 0;
    const progress = (count: number): void => {
      done += count;
      options.onProgress?.(done, rows.length);
    };
    if (options.entity === 'products') {
      const parsed = parseRows(rows, columns, rules, (read) => readProduct(read, rules), rejected);
      for (const group of groupBy(parsed, (row) => row.legacyId)) {
        await runGroup(group.rows.map((row) => row.rowNumber), () => writeProducts(client, group, counters));
        progress(group.rows.length);
      }
    } else if (options.entity === 'customers') {
      const parsed = parseRows(rows, columns, rules, (read) => readCustomer(read, rules), rejected);
      if (parsed.length > 0) {
        await stageCustomers(client, parsed.map(({ rowNumber, value }) => ({ ...value, rowNumber })));
        const conflicts = await findCustomerConflicts(client);
        for (const conflict of conflicts) rejected.push({ row: conflict.rowNumber, column: 'email', reason: conflict.reason });
        await dropStagedCustomers(client, conflicts.map((conflict) => conflict.rowNumber));
        const written = await writeStagedCustomers(client);
        counters.created += written.created;
        counters.updated += written.updated;
      }
      progress(rows.length);
    } else if (options.entity === 'orders') {
      const written = await importOrderLines(client, { rows, columns, rules, rejected, warnings });
      counters.created += written.created;
      counters.updated += written.updated;
      for (const id of written.productIds) counters.touchedProducts.add(id);
      progress(rows.length);
    } else {
      const parsed = parseRows(rows, columns, rules, (read) => readReview(read, rules), rejected);
      for (const { rowNumber, value } of parsed) {
        await runGroup([rowNumber], async () => {
          let productId: number | undefined;
          let variantId: number | undefined;
          if (value.sku) {
            variantId = (await findVariant(client, { sku: value.sku }))?.variantId;
            if (variantId === undefined) throw new GroupError([rowNumber], 'sku', `unknown sku ${value.sku}`);
          } else if (value.productLegacyId) {
            productId = await findProductByLegacyId(client, value.productLegacyId);
            if (productId === undefined) throw new GroupError([rowNumber], 'product_legacy_id', `unknown product ${value.productLegacyId}`);
          }
          const item = await findOrderItem(client, value.orderLegacyId, {
            ...(variantId !== undefined ? { variantId } : {}),
            ...(productId !== undefined ? { productId } : {}),
          });
          if (!item) throw new GroupError([rowNumber], 'order_legacy_id', `order ${value.orderLegacyId} has no such line; only buyers review`);
          const result = await upsertLegacyReview(client, { ...value, ...item });
          if ('conflict' in result) throw new GroupError([rowNumber], 'order_legacy_id', result.conflict);
          counters[result.isNew ? 'created' : 'updated'] += 1;
          counters.touchedProducts.add(item.productId);
        });
        progress(1);
      }
    }
    await refreshProductCounters(client, [...counters.touchedProducts]);
    if (options.isDryRun || (rejected.length > 0 && !options.skipBadRows)) {
      await client.query('ROLLBACK');
    } else {
      await client.query('COMMIT');
      isCommitted = true;
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
  };
}
