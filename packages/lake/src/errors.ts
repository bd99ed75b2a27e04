import type { ErrorKind } from '@threadline/domain';

/**
 * The lake package's error catalogue: every failure has a stable code and a transport-neutral
 * kind, so callers (API error handler, CLI, worker) decide what it means for them.
 */
export const LAKE_ERROR_CODES = {
  /** A partition key, zone or dataset name failed validation. */
  INVALID_PARTITION: 'invalid',
  /** A query or statement failed inside DuckDB. */
  QUERY_FAILED: 'internal',
  /** A storage backend (local dir or S3) failed. */
  STORAGE_FAILED: 'unavailable',
  /** The spool cannot accept writes (disk full, permissions, size limit). */
  SPOOL_UNAVAILABLE: 'unavailable',
  /** A stream backend (spool or Kinesis) failed. */
  STREAM_FAILED: 'unavailable',
  /** A dataset built by the pipeline has two rows for one key: a join fanned out (a bug, not bad luck). */
  DUPLICATE_KEY: 'internal',
} as const satisfies Record<string, ErrorKind>;

export type LakeErrorCode = keyof typeof LAKE_ERROR_CODES;

/** A typed lake error; keeps the underlying cause. */
export class LakeError extends Error {
  readonly kind: ErrorKind;

  constructor(
    readonly code: LakeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LakeError';
    this.kind = LAKE_ERROR_CODES[code];
  }
}

/** Narrows an unknown thrown value to a LakeError. */
export function isLakeError(error: unknown): error is LakeError {
  return error instanceof LakeError;
}
