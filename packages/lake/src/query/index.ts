export { runLakeQuery, MAX_QUERY_ROWS, type LakeQueryOptions, type LakeQueryResult } from './run-query.js';
export { LakeError, isLakeError, LAKE_ERROR_CODES, type LakeErrorCode } from './lake-errors.js';
export { openDuckSession, readRows, sqlString, sqlIdent, type DuckSession } from './duckdb-session.js';
