import type { ErrorKind } from '@threadline/domain';

/**
 * The catalogue of input problems with the lake (SQL over it, survey files): a stable code, its
 * transport-neutral kind, and for file problems the line or cell at fault.
 */
export const LAKE_INPUT_ERROR_CODES = {
  QUERY_EMPTY: 'invalid',
  QUERY_INVALID: 'invalid',
  QUERY_MULTIPLE_STATEMENTS: 'invalid',
  QUERY_NOT_READ_ONLY: 'forbidden',
  QUERY_FORBIDDEN: 'forbidden',
  QUERY_TIMEOUT: 'unprocessable',
  SURVEY_WRONG_EXTENSION: 'unsupported',
  SURVEY_NOT_SPREADSHEET: 'unsupported',
  SURVEY_TOO_LARGE: 'too_large',
  SURVEY_ZIP_BOMB: 'too_large',
  SURVEY_PASSWORD_PROTECTED: 'unprocessable',
  SURVEY_FORMULAS: 'unprocessable',
  SURVEY_EMPTY: 'unprocessable',
  SURVEY_TOO_MANY_COLUMNS: 'unprocessable',
  SURVEY_MISSING_COLUMNS: 'unprocessable',
  SURVEY_NO_VALID_ROWS: 'unprocessable',
} as const satisfies Record<string, ErrorKind>;

export type LakeInputErrorCode = keyof typeof LAKE_INPUT_ERROR_CODES;

/** A problem with what the caller sent (SQL or a file): the caller's fault, never a crash. */
export class LakeInputError extends Error {
  readonly kind: ErrorKind;
  /** Structured context for the caller, e.g. the survey report with every rejected row. */
  readonly details: unknown;

  constructor(
    readonly code: LakeInputErrorCode,
    message: string,
    /** The field, line or cell at fault (e.g. `sql`, `file`, `row 12`, `C7`). */
    readonly field?: string,
    options?: { cause?: unknown; details?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.details = options?.details;
    this.name = 'LakeInputError';
    this.kind = LAKE_INPUT_ERROR_CODES[code];
  }
}

export function isLakeInputError(error: unknown): error is LakeInputError {
  return error instanceof LakeInputError;
}
