export { runLakeQuery, MAX_QUERY_ROWS, type LakeQueryOptions, type LakeQueryResult } from './run-query.js';
export { LakeInputError, isLakeInputError, LAKE_INPUT_ERROR_CODES, type LakeInputErrorCode } from './lake-errors.js';
