/**
 * The lake package's error catalogue: every failure has a stable code so callers (API routes,
 * CLI, worker) can map it to an HTTP status or exit code without parsing messages.
 */
export const LAKE_ERROR_CODES = {
  /** A partition key, zone or dataset name failed validation. */
  INVALID_PARTITION: 400,
  /** A query or statement failed inside DuckDB. */
  QUERY_FAILED: 500,
  /** A storage backend (local dir or S3) failed. */
  STORAGE_FAILED: 500,
  /** The spool cannot accept writes (disk full, permissions, size limit). */
  SPOOL_UNAVAILABLE: 503,
  /** A stream backend (spool or Kinesis) failed. */
  STREAM_FAILED: 500,
  /** A dataset built by the pipeline has two rows for one key: a join fanned out (a bug, not bad luck). */
  DUPLICATE_KEY: 500,
} as const;

export type LakeErrorCode = keyof typeof LAKE_ERROR_CODES;

/** A typed lake error; keeps the underlying cause. */
export class LakeError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: LakeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LakeError';
    this.statusCode = LAKE_ERROR_CODES[code];
  }
}

/** Narrows an unknown thrown value to a LakeError. */
export function isLakeError(error: unknown): error is LakeError {
  return error instanceof LakeError;
}
