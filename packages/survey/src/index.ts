// Survey import (the Lambda part): an uploaded .xlsx is inspected (type, size, zip bomb, formulas),
// read, validated row by row, and written to the lake's raw zone as Parquet; the report lists every
// rejected row. Generation makes a realistic survey for the demo and tests.
export { importSurvey, type SurveyImportInput, type SurveyImportStage } from './import-survey.js';
export { inspectSurveyFile, DEFAULT_SURVEY_LIMITS, type SurveyFileLimits, type SurveyFileKind } from './inspect-file.js';
export { readSheetRows, readSheetRowBatches, DEFAULT_SHEET_LIMITS, type SheetRow, type SheetLimits } from './read-sheet.js';
export { CHANNELS, SURVEY_FIELDS, AGE_BANDS, mapHeader, mapChannel, mapAgeBand, mapGender, mapRegion, type Channel, type SurveyField } from './survey-fields.js';
export { validateSurveyRow, parseResponseDate, type SurveyRecord, type RowRejection, type RawCell } from './validate-row.js';
export { listSurveyUploads, type SurveyUploadRow } from './survey.repo.js';
export { generateSurvey, type GeneratedSurvey, type SurveyGeneratorOptions } from './generate-survey.js';
export { surveyNoticeText, type SurveyReport } from './survey-report.js';
