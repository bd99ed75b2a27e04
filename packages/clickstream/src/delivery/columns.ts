import { CLICKSTREAM_COLUMNS } from '../collect/event.js';

const NAMES = Object.keys(CLICKSTREAM_COLUMNS);

/** `read_json` column spec: event times travel as epoch milliseconds in the spool. */
export function jsonColumnsSpec(): string {
  const entries = Object.entries(CLICKSTREAM_COLUMNS).map(([name, type]) => {
    const wireType = type === 'TIMESTAMPTZ' ? 'BIGINT' : type;
    return `${name}: '${wireType}'`;
  });
  return `{${entries.join(', ')}}`;
}

/** SELECT list turning spool JSON columns into lake column types. */
export function selectFromJson(): string {
  return Object.entries(CLICKSTREAM_COLUMNS)
    .map(([name, type]) => (type === 'TIMESTAMPTZ' ? `epoch_ms(${name})::TIMESTAMPTZ AS ${name}` : name))
    .join(', ');
}

/**
 * `dt` ('YYYY-MM-DD') and `hour` ('00'–'23') partition values (UTC) of an epoch-milliseconds
 * column, by integer arithmetic. For times at or after 1970 (the collector only accepts events
 * from the last 7 days).
 */
export function hourPartitionFromEpochMs(column: string): string {
  return `(DATE '1970-01-01' + (${column} // 86400000)::INTEGER)::VARCHAR AS dt, lpad(((${column} // 3600000) % 24)::VARCHAR, 2, '0') AS hour`;
}

/** The lake columns, in order. */
export function columnList(): string {
  return NAMES.join(', ');
}

/** Parquet writer options for the raw clickstream: zstd, ~122k-row groups (DuckDB's vector-aligned default). */
export const PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880";
