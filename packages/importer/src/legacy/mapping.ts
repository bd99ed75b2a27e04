import { readFileSync } from 'node:fs';

/** A column mapping file: which export column feeds which field, and how values are written. */
export interface Mapping {
  /** canonical field → column header in the export */
  columns: Record<string, string>;
  /** date-fns format of dates in the export (`dd/MM/yy`, `MM/dd/yyyy`, `iso`) */
  dateFormat?: string;
  /** IANA zone of dates without an offset */
  timeZone?: string;
  /** ISO 4217 currency of money columns */
  currency?: string;
  /** value translations per field (any field), e.g. `{ "status": { "Completed": "delivered" }, "ship_country": { "Deutschland": "DE" } }` */
  values?: Record<string, Record<string, string>>;
  /** values of fields the export has no column for, e.g. `{ "status": "delivered" }` */
  defaults?: Record<string, string>;
}

export class MappingError extends Error {
  readonly code = 'MAPPING_INVALID';
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.values(value).every((item) => typeof item === 'string');
}

/** Reads and checks a mapping file, naming the key at fault. */
export function loadMapping(file: string): Mapping {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MappingError(`${file}: not readable JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new MappingError(`${file}: expected a JSON object`);
  const record = parsed as Record<string, unknown>; // checked to be a non-null object just above
  const columns = record.columns ?? {};
  if (!isStringRecord(columns)) throw new MappingError(`${file}: "columns" must map field names to column headers`);
  const mapping: Mapping = { columns };
  for (const key of ['dateFormat', 'timeZone', 'currency'] as const) {
    const value = record[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new MappingError(`${file}: "${key}" must be a string`);
    mapping[key] = value;
  }
  if (record.values !== undefined) {
    const values = record.values;
    if (typeof values !== 'object' || values === null || !Object.values(values).every(isStringRecord)) {
      throw new MappingError(`${file}: "values" must map field names to { from: to } objects`);
    }
    mapping.values = values as Record<string, Record<string, string>>; // every entry checked by isStringRecord
  }
  if (record.defaults !== undefined) {
    if (!isStringRecord(record.defaults)) throw new MappingError(`${file}: "defaults" must map field names to values`);
    mapping.defaults = record.defaults;
  }
  return mapping;
}

const normalise = (header: string): string => header.trim().toLowerCase().replace(/[\s\-.]+/g, '_');

/**
 * Fields whose name means different things in different exports: a "Region" column is as often a
 * sales territory ("Central") as the customer's region, so it is only used when mapped.
 */
const MAPPED_ONLY = new Set(['region']);

/**
 * Finds the export column of each field: the mapping's choice, else a header with the field's own
 * name (case and spacing ignored). Fields with a default in the mapping need no column. Returns
 * the fields it could not place.
 */
export function resolveColumns(
  headers: readonly string[],
  fields: readonly string[],
  mapping: Mapping,
): { columns: Map<string, string>; missing: string[] } {
  const byNormal = new Map(headers.map((header) => [normalise(header), header]));
  const columns = new Map<string, string>();
  const missing: string[] = [];
  for (const field of fields) {
    const wanted = mapping.columns[field];
    const header = wanted !== undefined
      ? (headers.includes(wanted) ? wanted : byNormal.get(normalise(wanted)))
      : MAPPED_ONLY.has(field) ? undefined : byNormal.get(field);
    if (header === undefined && wanted === undefined && mapping.defaults?.[field] !== undefined) continue;
    if (header === undefined) missing.push(wanted !== undefined ? `${field} (mapped to "${wanted}")` : field);
    else columns.set(field, header);
  }
  return { columns, missing };
}
