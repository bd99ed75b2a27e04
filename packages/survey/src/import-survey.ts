import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { withTransaction, type Pool } from '@threadline/db';
import { dateInZone } from '@threadline/domain';
import { crawlLake, LakeMirror, lakeRoot, LakeInputError, LocalLakeStorage, openDuckDb, sqlLiteral, type LakeStorage } from '@threadline/lake';

import { DEFAULT_SURVEY_LIMITS, inspectSurveyFile, type SurveyFileLimits } from './inspect-file.js';
import { measureArchive } from './measure-archive.js';
import { DEFAULT_SHEET_LIMITS, readSheetRowBatches, type SheetLimits } from './read-sheet.js';
import { REQUIRED_FIELDS, mapHeader, type Channel, type SurveyField } from './survey-fields.js';
import { MAX_LISTED_REJECTIONS, type SurveyReport } from './survey-report.js';
import { findUploadByHash, insertSurveyUpload, lockContentHash, saveSurveyReport } from './survey.repo.js';
import { isRejection, validateSurveyRow, type RawCell, type RowRejection, type SurveyRecord } from './validate-row.js';

export interface SurveyImportInput {
  pool: Pool;
  dataDir: string;
  fileName: string;
  bytes: Buffer;
  /** Shop time zone: the upload date partition and the latest plausible response date. */
  timeZone: string;
  uploadedBy?: number | null;
  /** Where the Parquet file goes (default: the local lake under dataDir); S3 works the same. */
  storage?: LakeStorage;
  /** The lake to publish to and crawl (`lakeFromConfig(config)`: local or S3); wins over `storage`. */
  lake?: LakeMirror;
  limits?: Partial<SurveyFileLimits & SheetLimits>;
  now?: Date;
  /**
   * Told how long each stage took, in milliseconds, as it ends: `check` (file checks, the archive
   * measured, the duplicate lookup), `parse` (read and validate), `parquet` (written and put in the lake),
   * `record` (the upload row committed), `catalog` (the lake crawled). For benchmarks and logs.
   */
  onStage?: (stage: SurveyImportStage, milliseconds: number) => void;
}

export type SurveyImportStage = 'check' | 'parse' | 'parquet' | 'record' | 'catalog';

/** How many leading non-empty rows may come before the header (titles, notes). */
const HEADER_SEARCH_ROWS = 10;

interface Parsed {
  headerRow: number;
  columns: Array<{ header: string; field: SurveyField; index: number }>;
  ignoredColumns: string[];
  records: SurveyRecord[];
  rejected: RowRejection[];
  rowsTotal: number;
}

function headerText(cell: RawCell): string {
  return cell === null ? '' : cell instanceof Date ? cell.toISOString() : String(cell).trim();
}

async function parseSurvey(input: SurveyImportInput, kind: 'xlsx' | 'csv', latestDate: string, sheetLimits: SheetLimits): Promise<Parsed> {
  let parsed: Parsed | null = null;
  const seenHeaders: string[] = [];
  let leading = 0;
  batches: for await (const batch of readSheetRowBatches(kind, input.bytes, sheetLimits)) {
    for (const row of batch) {
      if (!parsed) {
        leading += 1;
        const mapped = row.cells.map((cell, index) => ({ header: headerText(cell), field: mapHeader(headerText(cell)), index }));
        const fields = new Set(mapped.flatMap((item) => (item.field ? [item.field] : [])));
        if (fields.size >= 2 && fields.has('channel')) {
          const missing = REQUIRED_FIELDS.filter((field) => !fields.has(field));
          if (missing.length > 0) {
            throw new LakeInputError('SURVEY_MISSING_COLUMNS', `row ${row.rowNumber} looks like the header but has no column for ${missing.join(', ')}`, `row ${row.rowNumber}`);
          }
          const columns: Parsed['columns'] = [];
          const ignoredColumns: string[] = [];
          for (const item of mapped) {
            // the first column for a field wins; a second "Date" column is someone's note
            if (item.field && !columns.some((column) => column.field === item.field)) columns.push({ header: item.header, field: item.field, index: item.index });
            else if (item.header !== '') ignoredColumns.push(item.header);
          }
          parsed = { headerRow: row.rowNumber, columns, ignoredColumns, records: [], rejected: [], rowsTotal: 0 };
          continue;
        }
        seenHeaders.push(...mapped.map((item) => item.header).filter(Boolean).slice(0, 8));
        if (leading >= HEADER_SEARCH_ROWS) break batches;
        continue;
      }
      parsed.rowsTotal += 1;
      const cells: Partial<Record<SurveyField, RawCell>> = {};
      for (const column of parsed.columns) cells[column.field] = row.cells[column.index] ?? null;
      const result = validateSurveyRow(row.rowNumber, cells, latestDate);
      if (isRejection(result)) parsed.rejected.push(result);
      else parsed.records.push(result);
    }
  }
  if (!parsed) {
    if (leading === 0) throw new LakeInputError('SURVEY_EMPTY', 'the sheet is empty', 'file');
    throw new LakeInputError(
      'SURVEY_MISSING_COLUMNS',
      `no header row found in the first ${HEADER_SEARCH_ROWS} rows; it needs at least a response date and a "how did you hear about us" column (seen: ${seenHeaders.slice(0, 8).join(', ') || 'nothing'})`,
      'file',
    );
  }
  if (parsed.rowsTotal === 0) throw new LakeInputError('SURVEY_EMPTY', `the sheet has a header (row ${parsed.headerRow}) but no answers`, 'file');
  return parsed;
}

/** Writes the accepted rows as one local Parquet file (then put into the lake through LakeStorage). */
async function writeParquet(records: readonly SurveyRecord[], file: string, meta: { contentHash: string; fileName: string; uploadedAt: Date }): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = file;
  const session = await openDuckDb();
  try {
    const db = session.connection;
    await db.run(`CREATE TABLE answers (row_number INTEGER, response_date VARCHAR, age_band VARCHAR, gender VARCHAR, region VARCHAR,
                    channel VARCHAR, channel_label VARCHAR, free_text VARCHAR)`);
    const appender = await db.createAppender('answers');
    const text = (value: string | null): void => (value === null ? appender.appendNull() : appender.appendVarchar(value));
    for (const record of records) {
      appender.appendInteger(record.rowNumber);
      appender.appendVarchar(record.responseDate);
      text(record.ageBand);
      text(record.gender);
      text(record.region);
      appender.appendVarchar(record.channel);
      appender.appendVarchar(record.channelLabel);
      text(record.freeText);
      appender.endRow();
    }
    appender.closeSync();
    await db.run(
      `COPY (SELECT ${sqlLiteral(meta.contentHash)} AS upload_hash, ${sqlLiteral(meta.fileName)} AS source_file,
                    ${sqlLiteral(meta.uploadedAt.toISOString())}::TIMESTAMPTZ AS uploaded_at, row_number,
                    response_date::DATE AS response_date, age_band, gender, region, channel, channel_label, free_text
               FROM answers ORDER BY row_number)
         TO ${sqlLiteral(temp)} (FORMAT parquet, COMPRESSION zstd)`,
    );
  } finally {
    session.close();
  }
}

/**
 * Imports one survey spreadsheet (the Lambda "Excel → Parquet" part): checks the file, maps the
 * headers and answers, validates each row, stores accepted rows as Parquet under
 * `lake/raw/survey/upload_date=…/`, keeps the original under `uploads/survey/`, records the upload
 * and registers the table in the catalog. The same content uploaded again is not imported twice.
 * File-level problems throw LakeInputError (4xx) before anything is written.
 *
 * @example
 * const report = await importSurvey({ pool, dataDir, fileName: 'survey.xlsx', bytes, timeZone: 'America/New_York' });
 */
export async function importSurvey(input: SurveyImportInput): Promise<SurveyReport> {
  let stageStarted = performance.now();
  const stageDone = (stage: SurveyImportStage): void => {
    const ended = performance.now();
    input.onStage?.(stage, ended - stageStarted);
    stageStarted = ended;
  };
  const fileLimits = { ...DEFAULT_SURVEY_LIMITS, ...input.limits };
  const sheetLimits = { ...DEFAULT_SHEET_LIMITS, ...input.limits };
  const kind = inspectSurveyFile(input.fileName, input.bytes, fileLimits);
  // the declared sizes passed; now count what really comes out before the parser reads it
  if (kind === 'xlsx') await measureArchive(input.bytes, fileLimits);
  const contentHash = createHash('sha256').update(input.bytes).digest('hex');
  const existing = await findUploadByHash(input.pool, contentHash);
  if (existing) return { ...existing.report, isDuplicate: true };

  const now = input.now ?? new Date();
  const uploadDate = dateInZone(now, input.timeZone);
  // a response cannot be dated after today (one day of slack for respondents ahead in time zone)
  const latestDate = dateInZone(new Date(now.getTime() + 86_400_000), input.timeZone);
  stageDone('check');
  const parsed = await parseSurvey(input, kind, latestDate, sheetLimits);
  stageDone('parse');
  const channelCounts: Partial<Record<Channel, number>> = {};
  for (const record of parsed.records) channelCounts[record.channel] = (channelCounts[record.channel] ?? 0) + 1;
  const safeName = path.basename(input.fileName).replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 200);
  const relativeParquet = `raw/survey/upload_date=${uploadDate}/survey-${contentHash.slice(0, 16)}.parquet`;
  const report: SurveyReport = {
    uploadId: null,
    fileName: safeName,
    contentHash,
    isDuplicate: false,
    uploadDate,
    headerRow: parsed.headerRow,
    columns: parsed.columns.map(({ header, field }) => ({ header, field })),
    ignoredColumns: parsed.ignoredColumns,
    rowsTotal: parsed.rowsTotal,
    rowsAccepted: parsed.records.length,
    rowsRejected: parsed.rejected.length,
    rejected: parsed.rejected.slice(0, MAX_LISTED_REJECTIONS),
    channelCounts,
    parquetPath: relativeParquet,
  };
  if (parsed.records.length === 0) {
    throw new LakeInputError('SURVEY_NO_VALID_ROWS', `none of the ${parsed.rowsTotal} rows is valid; first problem: row ${parsed.rejected[0]?.row}: ${parsed.rejected[0]?.reason}`, `row ${parsed.rejected[0]?.row}`, {
      details: { ...report, parquetPath: null },
    });
  }

  const lakeDir = lakeRoot(input.dataDir);
  const lake = input.lake ?? new LakeMirror(input.storage ?? new LocalLakeStorage(lakeDir), path.join(input.dataDir, 'tmp', 'lake-cache'));
  const storage = lake.storage;
  // built beside the data, then put into the lake (an atomic rename locally, one PUT on S3)
  const staged = path.join(input.dataDir, 'tmp', `survey-${contentHash.slice(0, 16)}-${process.pid}.parquet`);
  const original = path.join(input.dataDir, 'uploads', 'survey', `${contentHash}.${kind}`);
  let isPut = false;
  try {
    const outcome = await withTransaction(input.pool, async (client) => {
      await lockContentHash(client, contentHash);
      const raced = await findUploadByHash(client, contentHash);
      if (raced) return { ...raced.report, isDuplicate: true };
      await mkdir(path.dirname(original), { recursive: true });
      await writeFile(`${original}.tmp`, input.bytes);
      await rename(`${original}.tmp`, original);
      await writeParquet(parsed.records, staged, { contentHash, fileName: safeName, uploadedAt: now });
      await storage.put(staged, relativeParquet);
      isPut = true;
      stageDone('parquet');
      report.uploadId = await insertSurveyUpload(client, {
        contentHash,
        originalName: safeName,
        storedPath: path.relative(input.dataDir, original),
        parquetPath: relativeParquet,
        uploadDate,
        uploadedBy: input.uploadedBy ?? null,
        report,
      });
      await saveSurveyReport(client, report.uploadId, report);
      return null;
    });
    if (outcome) return outcome;
  } catch (error) {
    // the upload was not recorded: its file must not stay in the lake either
    if (isPut) await storage.delete([relativeParquet]).catch(() => undefined);
    await rm(staged, { force: true });
    throw error;
  }
  stageDone('record');
  await crawlLake(input.pool, lake, { locations: ['raw/survey'] });
  stageDone('catalog');
  return report;
}
