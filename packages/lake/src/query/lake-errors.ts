/**
 * The lake's error catalogue (queries over the lake and survey files): a stable code, the HTTP
 * status an API answers with, and for file problems the line or cell at fault.
 */
export const LAKE_INPUT_ERROR_CODES = {
  QUERY_EMPTY: 400,
  QUERY_INVALID: 400,
  QUERY_MULTIPLE_STATEMENTS: 400,
  QUERY_NOT_READ_ONLY: 403,
  QUERY_FORBIDDEN: 403,
  QUERY_TIMEOUT: 422,
  SURVEY_WRONG_EXTENSION: 415,
  SURVEY_NOT_SPREADSHEET: 415,
  SURVEY_TOO_LARGE: 413,
  SURVEY_ZIP_BOMB: 413,
  SURVEY_PASSWORD_PROTECTED: 422,
  SURVEY_FORMULAS: 422,
  SURVEY_EMPTY: 422,
  SURVEY_TOO_MANY_COLUMNS: 422,
  SURVEY_MISSING_COLUMNS: 422,
  SURVEY_NO_VALID_ROWS: 422,
} as const;

export type LakeInputErrorCode = keyof typeof LAKE_INPUT_ERROR_CODES;

/** A problem with what the caller sent (SQL or a file): always a 4xx, never a crash. */
export class LakeInputError extends Error {
  readonly statusCode: number;
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
    this.statusCode = LAKE_INPUT_ERROR_CODES[code];
  }
}

export function isLakeInputError(error: unknown): error is LakeInputError {
  return error instanceof LakeInputError;
}
