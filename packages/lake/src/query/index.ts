export { runLakeQuery, MAX_QUERY_ROWS, MAX_QUERY_TIMEOUT_MS, QUERY_CAPS, type LakeQueryOptions, type LakeQueryResult } from './run-query.js';
export { LakeInputError, isLakeInputError, LAKE_INPUT_ERROR_CODES, type LakeInputErrorCode } from './lake-errors.js';
