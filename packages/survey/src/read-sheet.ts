import { Readable } from 'node:stream';

import ExcelJS from 'exceljs';

import { LakeInputError } from '@threadline/lake';

import type { SurveyFileKind } from './inspect-file.js';
import type { RawCell } from './validate-row.js';

/** One non-empty spreadsheet row: its 1-based row number as the user sees it, cells by column (0-based). */
export interface SheetRow {
  rowNumber: number;
  cells: RawCell[];
}

export interface SheetLimits {
  /** More columns than this is not a survey (default 200). */
  maxColumns: number;
  /** More data rows than this is refused (default 500,000). */
  maxRows: number;
}

export const DEFAULT_SHEET_LIMITS: SheetLimits = { maxColumns: 200, maxRows: 500_000 };

function columnLetter(index: number): string {
  let name = '';
  for (let value = index; value > 0; value = Math.floor((value - 1) / 26)) name = String.fromCharCode(65 + ((value - 1) % 26)) + name;
  return name;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Turns an exceljs cell value into a plain cell; a formula is refused (its result may be stale or hostile). */
function plainCell(value: unknown, address: string): RawCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value;
  if (isObject(value)) {
    if ('formula' in value || 'sharedFormula' in value) {
      throw new LakeInputError('SURVEY_FORMULAS', `cell ${address} holds a formula; paste values only (Paste Special → Values) and upload again`, address);
    }
    if (Array.isArray(value.richText)) return value.richText.map((part: unknown) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('');
    if (typeof value.text === 'string') return value.text; // hyperlink cell
    if ('error' in value) return null; // #N/A and friends: treated as empty
  }
  return null;
}

function isEmptyRow(cells: readonly RawCell[]): boolean {
  return cells.every((cell) => cell === null || (typeof cell === 'string' && cell.trim() === ''));
}

/** Streams the rows of the first worksheet that holds data (exceljs streaming reader: constant memory). */
async function* readXlsx(bytes: Buffer, limits: SheetLimits): AsyncGenerator<SheetRow> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(bytes), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // needed to tell date cells from numbers
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  let rows = 0;
  for await (const worksheet of workbook) {
    for await (const row of worksheet) {
      const cells: RawCell[] = [];
      let failure: LakeInputError | null = null;
      row.eachCell({ includeEmpty: false }, (cell, column) => {
        if (failure) return;
        if (column > limits.maxColumns) {
          failure = new LakeInputError('SURVEY_TOO_MANY_COLUMNS', `the sheet uses column ${columnLetter(column)} (${column}); a survey has at most ${limits.maxColumns} columns`, 'file');
          return;
        }
        try {
          cells[column - 1] = plainCell(cell.value, `${columnLetter(column)}${row.number}`);
        } catch (error) {
          if (error instanceof LakeInputError) failure = error;
          else throw error;
        }
      });
      if (failure) throw failure;
      const dense = Array.from({ length: cells.length }, (_unused, index) => cells[index] ?? null);
      if (isEmptyRow(dense)) continue;
      rows += 1;
      if (rows > limits.maxRows) throw new LakeInputError('SURVEY_TOO_LARGE', `the sheet has more than ${limits.maxRows} rows; split it into several files`, 'file');
      yield { rowNumber: row.number, cells: dense };
    }
    if (rows > 0) return; // the first sheet with data is the survey; other sheets are notes
  }
}

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

/** The non-empty rows of an uploaded survey, header included, in sheet order. */
export async function* readSheetRows(kind: SurveyFileKind, bytes: Buffer, limits: SheetLimits = DEFAULT_SHEET_LIMITS): AsyncGenerator<SheetRow> {
  if (kind === 'csv') {
    yield* readCsv(bytes, limits);
    return;
  }
  try {
    yield* readXlsx(bytes, limits);
  } catch (error) {
    if (error instanceof LakeInputError) throw error;
    throw new LakeInputError('SURVEY_NOT_SPREADSHEET', `the workbook cannot be read: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, 'file', { cause: error });
  }
}
