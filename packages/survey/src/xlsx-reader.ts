import path from 'node:path';

import { LakeInputError } from '@threadline/lake';

import type { RawCell } from './validate-row.js';
import { entryChunks, openArchive, type Archive } from './zip-entries.js';
import { scanXmlChunks, type XmlAttributes, type XmlHandler } from './xml-scan.js';

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

export function columnLetter(index: number): string {
  let name = '';
  for (let value = index; value > 0; value = Math.floor((value - 1) / 26)) name = String.fromCharCode(65 + ((value - 1) % 26)) + name;
  return name;
}

export function isEmptyRow(cells: readonly RawCell[]): boolean {
  return cells.every((cell) => cell === null || (typeof cell === 'string' && cell.trim() === ''));
}

/** 1-based column of a cell reference ("C7" → 3), or 0 when it has no column letters. */
function columnOfReference(reference: string): number {
  let column = 0;
  for (let index = 0; index < reference.length; index += 1) {
    const code = reference.charCodeAt(index) & ~32; // upper case
    if (code < 65 || code > 90) break;
    column = column * 26 + (code - 64);
  }
  return column;
}

/** Built-in number formats that show a date or time (ECMA-376 18.8.30, with the East Asian ones). */
function isBuiltInDateFormat(id: number): boolean {
  return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58);
}

/** Whether a custom format code shows a date or time: y m d h s outside quoted text, [colour]/[locale] and escapes. */
export function isDateFormatCode(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*]/g, '')
    .replace(/[\\_*]./g, '')
    .replace(/general/gi, '');
  return /[ymdhs]/i.test(bare);
}

/** Excel serial day number → instant (1900 system; 1904 when the workbook says so), as exceljs does. */
function excelToDate(serial: number, is1904: boolean): Date {
  return new Date(Math.round((serial - 25569 + (is1904 ? 1462 : 0)) * 86_400_000));
}

async function scanPart(archive: Archive, name: string, handler: XmlHandler): Promise<boolean> {
  const entry = archive.entries.get(name);
  if (!entry) return false;
  for await (const _chunk of scanXmlChunks(entryChunks(archive, entry), handler)) {
    // the handler gathers everything; nothing to hand on per chunk
  }
  return true;
}

/** Resolves a relationship target against the folder of the part that names it. */
function partPath(fromFolder: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  return path.posix.normalize(path.posix.join(fromFolder, target));
}

// ---------------------------------------------------------------- workbook parts

interface WorkbookInfo {
  is1904: boolean;
  /** Worksheet parts in tab order. */
  sheets: string[];
  sharedStrings: string;
  styles: string;
}

async function readWorkbook(archive: Archive): Promise<WorkbookInfo> {
  const sheetIds: string[] = [];
  let is1904 = false;
  await scanPart(archive, 'xl/workbook.xml', {
    wantsText: false,
    open(name: string, attributes: XmlAttributes): void {
      if (name === 'workbookPr') is1904 = ['1', 'true'].includes(attributes.get('date1904') ?? '');
      if (name === 'sheet') sheetIds.push(attributes.get('id') ?? '');
    },
    close(): void {},
    text(): void {},
  });
  const targets = new Map<string, { target: string; type: string }>();
  await scanPart(archive, 'xl/_rels/workbook.xml.rels', {
    wantsText: false,
    open(name: string, attributes: XmlAttributes): void {
      if (name === 'Relationship') targets.set(attributes.get('Id') ?? '', { target: attributes.get('Target') ?? '', type: attributes.get('Type') ?? '' });
    },
    close(): void {},
    text(): void {},
  });
  const ofType = (suffix: string, fallback: string): string => {
    const found = [...targets.values()].find((item) => item.type.endsWith(suffix));
    return found ? partPath('xl', found.target) : fallback;
  };
  let sheets = sheetIds.flatMap((id) => {
    const target = targets.get(id)?.target;
    return target ? [partPath('xl', target)] : [];
  });
  if (sheets.length === 0) {
    // no usable relationships: the worksheets by number
    sheets = [...archive.entries.keys()]
      .filter((name) => /^xl\/worksheets\/sheet\d+\.xml$/.test(name))
      .sort((a, b) => Number(/\d+/.exec(path.posix.basename(a))?.[0]) - Number(/\d+/.exec(path.posix.basename(b))?.[0]));
  }
  return { is1904, sheets, sharedStrings: ofType('/sharedStrings', 'xl/sharedStrings.xml'), styles: ofType('/styles', 'xl/styles.xml') };
}

/** The text of each shared string (rich text runs joined; phonetic guides left out). */
async function readSharedStrings(archive: Archive, part: string): Promise<string[]> {
  const strings: string[] = [];
  let current: string | null = null;
  let phonetic = 0;
  const handler: XmlHandler = {
    wantsText: false,
    open(name: string): void {
      if (name === 'si') current = '';
      else if (name === 'rPh') phonetic += 1;
      else if (name === 't' && current !== null && phonetic === 0) handler.wantsText = true;
    },
    close(name: string): void {
      if (name === 't') handler.wantsText = false;
      else if (name === 'rPh') phonetic -= 1;
      else if (name === 'si') {
        strings.push(current ?? '');
        current = null;
      }
    },
    text(value: string): void {
      current = (current ?? '') + value;
    },
  };
  await scanPart(archive, part, handler);
  return strings;
}

/** For each cell style (cellXfs index), whether its number format shows a date. */
async function readDateStyles(archive: Archive, part: string): Promise<boolean[]> {
  const customFormats = new Map<number, string>();
  const formatOfStyle: number[] = [];
  let inCellXfs = false;
  await scanPart(archive, part, {
    wantsText: false,
    open(name: string, attributes: XmlAttributes, isEmpty: boolean): void {
      if (name === 'numFmt') customFormats.set(Number(attributes.get('numFmtId')), attributes.get('formatCode') ?? '');
      else if (name === 'cellXfs') inCellXfs = !isEmpty;
      else if (name === 'xf' && inCellXfs) formatOfStyle.push(Number(attributes.get('numFmtId') ?? '0'));
    },
    close(name: string): void {
      if (name === 'cellXfs') inCellXfs = false;
    },
    text(): void {},
  });
  return formatOfStyle.map((id) => {
    const custom = customFormats.get(id);
    return custom === undefined ? isBuiltInDateFormat(id) : isDateFormatCode(custom);
  });
}

// ---------------------------------------------------------------- worksheet

interface SheetContext {
  strings: readonly string[];
  dateStyles: readonly boolean[];
  is1904: boolean;
  limits: SheetLimits;
}

/** Gathers the rows of a worksheet's <sheetData> as the tokenizer passes over them. */
class SheetRowsHandler implements XmlHandler {
  wantsText = false;
  /** Finished non-empty rows not yet handed on. */
  ready: SheetRow[] = [];
  rowsSeen = 0;
  private inSheetData = false;
  private rowNumber = 0;
  private cells: RawCell[] | null = null;
  private column = 0;
  private inCell = false;
  private type = 'n';
  private style = 0;
  private hasFormula = false;
  private hasValue = false;
  private value = '';
  private inInline = false;
  private phonetic = 0;

  constructor(private readonly context: SheetContext) {}

  open(name: string, attributes: XmlAttributes): void {
    switch (name) {
      case 'sheetData':
        this.inSheetData = true;
        break;
      case 'row': {
        if (!this.inSheetData) break;
        const reference = attributes.get('r');
        this.rowNumber = reference === undefined ? this.rowNumber + 1 : Number.parseInt(reference, 10);
        if (!Number.isSafeInteger(this.rowNumber) || this.rowNumber < 1) throw new LakeInputError('SURVEY_NOT_SPREADSHEET', `the sheet has a row numbered "${reference}"`, 'file');
        this.cells = [];
        this.column = 0;
        break;
      }
      case 'c': {
        if (!this.cells) break;
        const reference = attributes.get('r');
        const column = reference === undefined ? 0 : columnOfReference(reference);
        this.column = column > 0 ? column : this.column + 1;
        this.type = attributes.get('t') ?? 'n';
        const style = attributes.get('s');
        this.style = style === undefined ? 0 : Number.parseInt(style, 10);
        this.inCell = true;
        this.hasFormula = false;
        this.hasValue = false;
        this.value = '';
        break;
      }
      case 'f':
        if (this.inCell) this.hasFormula = true;
        break;
      case 'v':
        if (this.inCell) {
          this.hasValue = true;
          this.value = '';
          this.wantsText = true;
        }
        break;
      case 'is':
        if (this.inCell) {
          this.hasValue = true;
          this.inInline = true;
        }
        break;
      case 'rPh':
        this.phonetic += 1;
        break;
      case 't':
        if (this.inInline && this.phonetic === 0) this.wantsText = true;
        break;
      default:
        break;
    }
  }

  text(value: string): void {
    this.value += value;
  }

  close(name: string): void {
    switch (name) {
      case 'v':
      case 't':
        this.wantsText = false;
        break;
      case 'rPh':
        this.phonetic -= 1;
        break;
      case 'is':
        this.inInline = false;
        break;
      case 'c':
        if (this.inCell) this.finishCell();
        break;
      case 'row':
        if (this.cells) this.finishRow(this.cells);
        break;
      case 'sheetData':
        this.inSheetData = false;
        break;
      default:
        break;
    }
  }

  private cellValue(): RawCell {
    if (!this.hasValue) return null;
    const text = this.value;
    switch (this.type) {
      case 's': {
        // an empty string is an empty cell, as exceljs and Excel's own "is blank" see it
        const string = this.context.strings[Number.parseInt(text, 10)];
        return string === undefined || string === '' ? null : string;
      }
      case 'str':
      case 'inlineStr':
        return text === '' ? null : text;
      case 'b':
        return Number.parseInt(text, 10) !== 0;
      case 'e':
        return null; // #N/A and friends: treated as empty
      case 'd': {
        // ISO 8601 date cell (strict OOXML)
        const date = new Date(text);
        return Number.isNaN(date.getTime()) ? text : date;
      }
      default: {
        if (text.trim() === '') return null;
        const number = Number.parseFloat(text);
        if (Number.isNaN(number)) return null;
        if (this.context.dateStyles[this.style] !== true) return number;
        const date = excelToDate(number, this.context.is1904);
        return Number.isNaN(date.getTime()) ? number : date; // a serial beyond any calendar stays a number
      }
    }
  }

  private finishCell(): void {
    this.inCell = false;
    if (this.hasFormula) {
      const address = `${columnLetter(this.column)}${this.rowNumber}`;
      throw new LakeInputError('SURVEY_FORMULAS', `cell ${address} holds a formula; paste values only (Paste Special → Values) and upload again`, address);
    }
    const value = this.cellValue();
    if (value === null || !this.cells) return;
    const { maxColumns } = this.context.limits;
    if (this.column > maxColumns) {
      throw new LakeInputError('SURVEY_TOO_MANY_COLUMNS', `the sheet uses column ${columnLetter(this.column)} (${this.column}); a survey has at most ${maxColumns} columns`, 'file');
    }
    this.cells[this.column - 1] = value;
  }

  private finishRow(cells: RawCell[]): void {
    this.cells = null;
    const dense: RawCell[] = [];
    let hasContent = false;
    for (let index = 0; index < cells.length; index += 1) {
      const cell = cells[index] ?? null;
      dense.push(cell);
      if (!hasContent && cell !== null && (typeof cell !== 'string' || cell.trim() !== '')) hasContent = true;
    }
    if (!hasContent) return;
    this.rowsSeen += 1;
    if (this.rowsSeen > this.context.limits.maxRows) {
      throw new LakeInputError('SURVEY_TOO_LARGE', `the sheet has more than ${this.context.limits.maxRows} rows; split it into several files`, 'file');
    }
    this.ready.push({ rowNumber: this.rowNumber, cells: dense });
  }
}

/**
 * Streams the non-empty rows of the first worksheet (in tab order) that holds data: the sheet is
 * inflated and scanned chunk by chunk, so memory holds the shared strings and one chunk of rows.
 * Reads what a survey needs of SpreadsheetML: shared, inline and formula-less strings, numbers,
 * booleans, dates (numbers whose cell style has a date format, built-in or custom, in the 1900 or
 * 1904 system, and ISO date cells), errors as empty, sparse cells by their references. A formula
 * is refused (its cached result may be stale or hostile).
 *
 * Rows come in batches (those finished by one inflated chunk): one await per batch instead of one
 * per row, which on a 100k-row sheet was a noticeable share of the read.
 */
export async function* readXlsxRowBatches(bytes: Buffer, limits: SheetLimits): AsyncGenerator<SheetRow[]> {
  const archive = await openArchive(bytes);
  try {
    const workbook = await readWorkbook(archive);
    const strings = await readSharedStrings(archive, workbook.sharedStrings);
    const dateStyles = await readDateStyles(archive, workbook.styles);
    for (const sheet of workbook.sheets) {
      const entry = archive.entries.get(sheet);
      if (!entry) continue;
      const handler = new SheetRowsHandler({ strings, dateStyles, is1904: workbook.is1904, limits });
      for await (const _chunk of scanXmlChunks(entryChunks(archive, entry), handler)) {
        if (handler.ready.length === 0) continue;
        const rows = handler.ready;
        handler.ready = [];
        yield rows;
      }
      if (handler.rowsSeen > 0) return; // the first sheet with data is the survey; other sheets are notes
    }
  } finally {
    archive.zip.close();
  }
}

/** The rows of `readXlsxRowBatches` one by one. */
export async function* readXlsxRows(bytes: Buffer, limits: SheetLimits): AsyncGenerator<SheetRow> {
  for await (const batch of readXlsxRowBatches(bytes, limits)) yield* batch;
}
