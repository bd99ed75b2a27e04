import { createReadStream } from 'node:fs';
import path from 'node:path';

import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';

/** One data row of an export: its 1-based line/row number in the file (header = 1) and cells by header. */
export interface SourceRow {
  rowNumber: number;
  cells: Record<string, string>;
}

export class SourceFileError extends Error {
  readonly code = 'SOURCE_FILE_INVALID';
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    if ('formula' in value) throw new SourceFileError('the sheet contains formulas; export values only');
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('text' in value) return String(value.text);
    if ('result' in value) return String(value.result ?? '');
    return '';
  }
  return String(value);
}

async function* readCsv(file: string): AsyncGenerator<SourceRow> {
  const parser = createReadStream(file).pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, info: true }),
  );
  let headers: string[] | undefined;
  for await (const entry of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!headers) {
      headers = entry.record.map((header) => header.trim());
      continue;
    }
    const cells: Record<string, string> = {};
    headers.forEach((header, index) => (cells[header] = entry.record[index] ?? ''));
    yield { rowNumber: entry.info.lines, cells };
  }
}

async function* readXlsx(file: string): AsyncGenerator<SourceRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, { entries: 'emit', sharedStrings: 'cache', worksheets: 'emit' });
  for await (const worksheet of reader) {
    let headers: string[] | undefined;
    for await (const row of worksheet) {
      // ExcelJS row values are 1-based with a hole at index 0
      const values = (row.values as ExcelJS.CellValue[]).slice(1).map(cellText);
      if (!headers) {
        headers = values.map((header) => header.trim());
        continue;
      }
      if (values.every((value) => value.trim() === '')) continue;
      const cells: Record<string, string> = {};
      headers.forEach((header, index) => (cells[header] = (values[index] ?? '').trim()));
      yield { rowNumber: row.number, cells };
    }
    return; // first sheet only
  }
}

/** Streams the rows of a CSV or XLSX export. */
export function readTable(file: string): AsyncGenerator<SourceRow> {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.csv' || extension === '.txt') return readCsv(file);
  if (extension === '.xlsx') return readXlsx(file);
  throw new SourceFileError(`${path.basename(file)}: expected a .csv or .xlsx export`);
}
