import { LakeInputError } from '@threadline/lake';

import type { SurveyFileKind } from './inspect-file.js';
import type { RawCell } from './validate-row.js';
import { columnLetter, isEmptyRow, readXlsxRowBatches, type SheetLimits, type SheetRow } from './xlsx-reader.js';

export type { SheetLimits, SheetRow } from './xlsx-reader.js';

export const DEFAULT_SHEET_LIMITS: SheetLimits = { maxColumns: 200, maxRows: 500_000 };

function decodeCsv(bytes: Buffer): string {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    // Korean Excel saves CSV as CP949 (EUC-KR superset) unless told otherwise
    return new TextDecoder('euc-kr').decode(body);
  }
}

/** RFC 4180 CSV (quotes, doubled quotes, line breaks inside quotes); delimiter , ; or tab as the header shows. */
function* readCsv(bytes: Buffer, limits: SheetLimits): Generator<SheetRow> {
  const content = decodeCsv(bytes);
  const firstLine = content.slice(0, content.indexOf('\n') >= 0 ? content.indexOf('\n') : content.length);
  const delimiter = [',', ';', '\t'].map((char) => [char, firstLine.split(char).length] as const).sort((a, b) => b[1] - a[1])[0]?.[0] ?? ',';
  let rowNumber = 1;
  let startLine = 1;
  let cells: string[] = [];
  let field = '';
  let isQuoted = false;
  let rows = 0;
  const finishRow = function* (): Generator<SheetRow> {
    cells.push(field);
    field = '';
    if (cells.length > limits.maxColumns) {
      throw new LakeInputError('SURVEY_TOO_MANY_COLUMNS', `line ${startLine} has ${cells.length} columns; a survey has at most ${limits.maxColumns}`, `line ${startLine}`);
    }
    const values: RawCell[] = cells.map((cell) => cell.trim() || null);
    cells = [];
    if (isEmptyRow(values)) return;
    const formulaAt = values.findIndex((value) => typeof value === 'string' && value.startsWith('='));
    if (formulaAt >= 0) {
      throw new LakeInputError('SURVEY_FORMULAS', `cell ${columnLetter(formulaAt + 1)}${startLine} starts with "=" (a formula); remove it and upload again`, `${columnLetter(formulaAt + 1)}${startLine}`);
    }
    rows += 1;
    if (rows > limits.maxRows) throw new LakeInputError('SURVEY_TOO_LARGE', `the file has more than ${limits.maxRows} rows; split it`, 'file');
    yield { rowNumber: startLine, cells: values };
  };
  for (let index = 0; index < content.length; index += 1) {
    const char = content[index];
    if (isQuoted) {
      if (char === '"') {
        if (content[index + 1] === '"') {
          field += '"';
          index += 1;
        } else isQuoted = false;
      } else {
        if (char === '\n') rowNumber += 1;
        field += char;
      }
      continue;
    }
    if (char === '"' && field === '') isQuoted = true;
    else if (char === delimiter) {
      cells.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && content[index + 1] === '\n') index += 1;
      yield* finishRow();
      rowNumber += 1;
      startLine = rowNumber;
    } else field += char;
  }
  if (field !== '' || cells.length > 0) yield* finishRow();
}

/** CSV rows handed on at a time. */
const CSV_BATCH_ROWS = 2000;

/** The non-empty rows of an uploaded survey, header included, in sheet order, in batches (one await per batch). */
export async function* readSheetRowBatches(kind: SurveyFileKind, bytes: Buffer, limits: SheetLimits = DEFAULT_SHEET_LIMITS): AsyncGenerator<SheetRow[]> {
  if (kind === 'csv') {
    let batch: SheetRow[] = [];
    for (const row of readCsv(bytes, limits)) {
      batch.push(row);
      if (batch.length >= CSV_BATCH_ROWS) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
    return;
  }
  try {
    yield* readXlsxRowBatches(bytes, limits);
  } catch (error) {
    if (error instanceof LakeInputError) throw error;
    throw new LakeInputError('SURVEY_NOT_SPREADSHEET', `the workbook cannot be read: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, 'file', { cause: error });
  }
}

/** The non-empty rows of an uploaded survey, header included, in sheet order. */
export async function* readSheetRows(kind: SurveyFileKind, bytes: Buffer, limits: SheetLimits = DEFAULT_SHEET_LIMITS): AsyncGenerator<SheetRow> {
  for await (const batch of readSheetRowBatches(kind, bytes, limits)) yield* batch;
}
