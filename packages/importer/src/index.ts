export { importLegacyFile, type ImportOptions, type ImportReport, type ImportWarning, type RejectedRow } from './legacy/import-legacy.js';
export { ENTITIES, FIELDS, type Entity, type ValueRules } from './legacy/entities.js';
export { loadMapping, resolveColumns, MappingError, type Mapping } from './legacy/mapping.js';
export { SourceFileError, readTable } from './legacy/read-table.js';
export { RowError, parseDate, parseMoney } from './legacy/values.js';
export { importAccessLogFile, lineEventId, IMPORTED_TIER, type AccessLogFileReport, type AccessLogImportOptions, type LogFormat } from './access-logs/import-access-logs.js';
export { parseClfLine, parseJsonLine, classifyRequest, DEFAULT_JSON_FIELDS, type JsonFieldMap, type AccessLogRequest } from './access-logs/parse-line.js';
