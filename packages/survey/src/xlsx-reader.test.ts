import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';

import ExcelJS from 'exceljs';

import { LakeInputError } from '@threadline/lake';

import { generateSurvey } from './generate-survey.js';
import { buildZip, lyingWorkbook } from './testing/zip.js';
import type { RawCell } from './validate-row.js';
import { isDateFormatCode, readXlsxRows, type SheetRow } from './xlsx-reader.js';
import { XmlAttributes, scanXmlChunks, type XmlHandler } from './xml-scan.js';

const LIMITS = { maxColumns: 200, maxRows: 500_000 };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** What the previous reader (exceljs's streaming reader) made of a cell: the reference. */
function exceljsCell(value: unknown): RawCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  if (isObject(value)) {
    if ('formula' in value || 'sharedFormula' in value) return 'FORMULA';
    if (Array.isArray(value.richText)) return value.richText.map((part: unknown) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('');
    if (typeof value.text === 'string') return value.text;
  }
  return null;
}

async function exceljsRows(bytes: Buffer): Promise<SheetRow[]> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(bytes), { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
  const rows: SheetRow[] = [];
  for await (const worksheet of workbook) {
    for await (const row of worksheet) {
      const cells: RawCell[] = [];
      row.eachCell({ includeEmpty: false }, (cell, column) => {
        cells[column - 1] = exceljsCell(cell.value);
      });
      const dense = Array.from({ length: cells.length }, (_unused, index) => cells[index] ?? null);
      if (dense.every((cell) => cell === null || (typeof cell === 'string' && cell.trim() === ''))) continue;
      rows.push({ rowNumber: row.number, cells: dense });
    }
    if (rows.length > 0) break;
  }
  return rows;
}

async function ourRows(bytes: Buffer, limits = LIMITS): Promise<SheetRow[]> {
  const rows: SheetRow[] = [];
  for await (const row of readXlsxRows(bytes, limits)) rows.push(row);
  return rows;
}

async function written(build: (book: ExcelJS.Workbook) => void): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  build(book);
  // exceljs returns its own Buffer type alias; it is a Node Buffer
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** A workbook made by hand, to hold what exceljs never writes (inline rich text, prefixes, ISO date cells…). */
function handMade(sheetXml: string, options: { sharedStrings?: string; styles?: string; workbookPr?: string; extraSheets?: Array<{ name: string; xml: string }> } = {}): Buffer {
  const sheets = [{ name: 'sheet1.xml', xml: sheetXml }, ...(options.extraSheets ?? [])];
  const ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
  const relsNs = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  return buildZip([
    {
      name: 'xl/workbook.xml',
      content: Buffer.from(
        `<?xml version="1.0" encoding="UTF-8"?><workbook ${ns}>${options.workbookPr ?? ''}<sheets>${sheets.map((sheet, index) => `<sheet name="S${index + 1}" sheetId="${index + 1}" r:id="rId${index + 1}"/>`).join('')}</sheets></workbook>`,
      ),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      content: Buffer.from(
        `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${sheets.map((sheet, index) => `<Relationship Id="rId${index + 1}" Type="${relsNs}/worksheet" Target="worksheets/${sheet.name}"/>`).join('')}<Relationship Id="rIdS" Type="${relsNs}/sharedStrings" Target="/xl/sharedStrings.xml"/><Relationship Id="rIdT" Type="${relsNs}/styles" Target="styles.xml"/></Relationships>`,
      ),
    },
    { name: 'xl/sharedStrings.xml', content: Buffer.from(`<sst ${ns}>${options.sharedStrings ?? ''}</sst>`) },
    { name: 'xl/styles.xml', content: Buffer.from(`<styleSheet ${ns}>${options.styles ?? '<cellXfs count="1"><xf numFmtId="0"/></cellXfs>'}</styleSheet>`) },
    ...sheets.map((sheet) => ({ name: `xl/worksheets/${sheet.name}`, content: Buffer.from(sheet.xml) })),
  ]);
}

const sheet = (rows: string): string => `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`;

async function refusal(bytes: Buffer, limits = LIMITS): Promise<LakeInputError | Error> {
  try {
    await ourRows(bytes, limits);
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('the workbook was read without an error');
}

describe('xlsx reader', () => {
  for (const language of ['en', 'ko'] as const) {
    it(`reads a generated ${language} survey exactly as exceljs does (dates, shared strings, empty cells)`, async () => {
      const survey = await generateSurvey({ rows: 600, badRows: 12, seed: 3, language });
      const expected = await exceljsRows(survey.bytes);
      const rows = await ourRows(survey.bytes);
      assert.equal(rows.length, 602);
      assert.ok(rows[2]?.cells[0] instanceof Date, 'the date column comes out as dates');
      assert.deepEqual(rows, expected);
    });
  }

  it('reads every cell type of a workbook written by exceljs as exceljs reads it', async () => {
    const bytes = await written((book) => {
      const sheet = book.addWorksheet('Answers');
      sheet.addRow(['Response date', 'Channel', 'Count', 'Flag', 'Share', 'Note']);
      sheet.addRow([new Date('2026-11-01T00:00:00Z'), 'TV', 3, true, 0.25, 'a < b & "c" \'d\'']);
      sheet.addRow([new Date('2026-11-02T12:30:00Z'), '인스타그램 👗', -1.5e-7, false, 1, '  spaced  ']);
      sheet.addRow([]);
      const sparse = sheet.addRow([]);
      sparse.getCell(1).value = '2026-11-03';
      sparse.getCell(3).value = 42;
      sparse.getCell(6).value = { richText: [{ text: 'rich ', font: { bold: true } }, { text: 'text' }] };
      const links = sheet.addRow(['00123', { text: 'a link', hyperlink: 'https://example.test' }, { error: '#N/A' }, '']);
      links.getCell(5).value = 'line one\nline two';
      sheet.getCell('A2').numFmt = 'yyyy-mm-dd';
      sheet.getCell('A3').numFmt = 'mm-dd-yy';
      sheet.getCell('E2').numFmt = '0.00%';
      sheet.getCell('C3').numFmt = '[Red]0.00;"days"0';
      sheet.getCell('C5').numFmt = 'd-mmm-yy';
      book.addWorksheet('Notes').addRow(['not the survey']);
    });
    const rows = await ourRows(bytes);
    assert.deepEqual(rows, await exceljsRows(bytes));
    // and the types really are what a survey needs
    assert.deepEqual(rows[1]?.cells, [new Date('2026-11-01T00:00:00Z'), 'TV', 3, true, 0.25, 'a < b & "c" \'d\'']);
    assert.deepEqual(rows[2]?.cells, [new Date('2026-11-02T12:30:00Z'), '인스타그램 👗', -1.5e-7, false, 1, '  spaced  ']);
    assert.equal(rows[3]?.rowNumber, 5, 'the empty row 4 is skipped, row numbers stay the sheet’s');
    assert.deepEqual(rows[3]?.cells, ['2026-11-03', null, new Date(Date.UTC(1900, 1, 10)), null, null, 'rich text']);
    assert.deepEqual(rows[4]?.cells, ['00123', 'a link', null, null, 'line one\nline two']);
    assert.equal(rows.length, 5, 'the second sheet (notes) is not read');
  });

  it('reads a 1904-date workbook and strings exceljs writes without a shared-string table', async () => {
    const bytes = await written((book) => {
      book.properties.date1904 = true;
      const sheet = book.addWorksheet('S');
      sheet.addRow(['Date', 'Channel']);
      sheet.addRow([new Date('2026-10-31T00:00:00Z'), 'Radio']);
      sheet.getCell('A2').numFmt = 'yyyy/mm/dd';
    });
    const rows = await ourRows(bytes);
    assert.deepEqual(rows, await exceljsRows(bytes));
    assert.deepEqual(rows[1]?.cells, [new Date('2026-10-31T00:00:00Z'), 'Radio']);
  });

  it('reads what other writers put in a sheet: inline rich strings, prefixes, ISO dates, cells without references', async () => {
    const bytes = handMade(
      `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>
        <x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:r><x:t>Resp</x:t></x:r><x:r><x:t xml:space="preserve">onse date</x:t></x:r></x:is></x:c><x:c t="s"><x:v>0</x:v></x:c></x:row>
        <!-- a comment --><x:row><x:c t="d"><x:v>2026-11-05T00:00:00Z</x:v></x:c><x:c t='str'><x:v><![CDATA[TV & <radio>]]></x:v></x:c><x:c r="D2" s="1"><x:v>46331</x:v></x:c><x:c r="E2" t="b"><x:v>1</x:v></x:c></x:row>
        <x:row r="7" spans="1:3"><x:c r="C7" t="s"><x:v>1</x:v></x:c><x:c r="B7" s="2"><x:v>46331.5</x:v></x:c></x:row>
        <x:row r="8"><x:c r="A8" t="e"><x:v>#DIV/0!</x:v></x:c><x:c r="B8" s="1"/></x:row>
        <x:row r="9"><x:c r="A9" t="e"><x:v>#N/A</x:v></x:c><x:c r="C9" s="1"><x:v>1e20</x:v></x:c></x:row>
      </x:sheetData></x:worksheet>`,
      {
        sharedStrings: '<si><t>Channel</t></si><si><r><t>Pho</t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh><r><t>netic &amp; &#xD55C;&#44544;</t></r></si>',
        styles: '<numFmts count="1"><numFmt numFmtId="170" formatCode="&quot;No.&quot;\\ 0"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="31"/><xf numFmtId="170"/></cellXfs>',
      },
    );
    assert.deepEqual(await ourRows(bytes), [
      { rowNumber: 1, cells: ['Response date', 'Channel'] },
      { rowNumber: 2, cells: [new Date('2026-11-05T00:00:00Z'), 'TV & <radio>', null, new Date('2026-11-05T00:00:00Z'), true] },
      { rowNumber: 7, cells: [null, 46331.5, 'Phonetic & 한글'] },
      { rowNumber: 9, cells: [null, null, 1e20] }, // row 8 holds only an error and an empty cell; a serial past any calendar stays a number
    ]);
  });

  it('reads the first sheet in tab order that has data, whatever the order inside the archive', async () => {
    const bytes = handMade(sheet('<row r="1"><c r="A1" t="inlineStr"><is><t> </t></is></c></row>'), {
      extraSheets: [
        { name: 'sheet9.xml', xml: sheet('<row r="3"><c r="B3"><v>9</v></c></row>') },
        { name: 'sheet2.xml', xml: sheet('<row r="1"><c r="A1"><v>2</v></c></row>') },
      ],
    });
    assert.deepEqual(await ourRows(bytes), [{ rowNumber: 3, cells: [null, 9] }]);
  });

  it('refuses formulas, too many columns, too many rows, a document type and broken XML with the cell or reason', async () => {
    const formula = await written((book) => {
      const sheet = book.addWorksheet('S');
      sheet.addRow(['Date', 'Channel']);
      sheet.addRow(['2026-11-01', { formula: 'HYPERLINK("http://evil","TV")', result: 'TV' }]);
    });
    const formulaError = await refusal(formula);
    assert.ok(formulaError instanceof LakeInputError);
    assert.equal(formulaError.code, 'SURVEY_FORMULAS');
    assert.match(formulaError.message, /cell B2 holds a formula/);

    const shared = handMade(sheet('<row r="4"><c r="C4"><f t="shared" si="0"/><v>3</v></c></row>'));
    assert.match((await refusal(shared)).message, /cell C4 holds a formula/);

    const wide = await refusal(handMade(sheet('<row r="1"><c r="A1"><v>1</v></c><c r="GS1"><v>2</v></c></row>')));
    assert.ok(wide instanceof LakeInputError && wide.code === 'SURVEY_TOO_MANY_COLUMNS', wide.message);
    assert.match(wide.message, /column GS \(201\)/);
    // a styled empty cell far to the right is not a column in use
    assert.deepEqual(await ourRows(handMade(sheet('<row r="1"><c r="A1"><v>1</v></c><c r="XFD1" s="0"/></row>'))), [{ rowNumber: 1, cells: [1] }]);

    const long = await refusal(handMade(sheet('<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row><row r="3"><c r="A3"><v>3</v></c></row>')), { maxColumns: 200, maxRows: 2 });
    assert.ok(long instanceof LakeInputError && long.code === 'SURVEY_TOO_LARGE', long.message);

    assert.match((await refusal(handMade(`<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">]><worksheet><sheetData/></worksheet>`))).message, /document type/);
    assert.match((await refusal(handMade(sheet('<row r="1"><c r="A1"><v>1</v></c></row>').slice(0, -5)))).message, /ends inside a tag/);
  });

  it('refuses an entry that inflates past the size it declares, without holding it (the reader checks too, not only measureArchive)', async () => {
    const bytes = lyingWorkbook();
    const before = process.memoryUsage().arrayBuffers;
    const error = await refusal(bytes);
    assert.ok(error instanceof LakeInputError && error.code === 'SURVEY_ZIP_BOMB', error.message);
    assert.ok(process.memoryUsage().arrayBuffers - before < 32 * 1024 * 1024, 'never holds the inflated entry');
  });

  it('tells date formats from number formats as Excel shows them', () => {
    for (const code of ['yyyy-mm-dd', 'm/d/yy h:mm', 'yyyy"년" mm"월" dd"일"', '[$-409]mmmm d, yyyy', 'hh:mm:ss', 'YYYY/MM/DD']) assert.equal(isDateFormatCode(code), true, code);
    for (const code of ['General', '0.00%', '#,##0', '"days"0', '[Red]0.00', '0\\ "m"', '0.00E+00', '_-* #,##0_-']) assert.equal(isDateFormatCode(code), false, code);
  });

  it('gives the same tokens whatever the chunk boundaries (a tag, an entity or a multi-byte character cut in two)', async () => {
    const xml = Buffer.from(
      '<?xml version="1.0"?><a x="1" y=\'>2\'><b/>te&amp;xt 한글 &#x1F457;<![CDATA[<raw>]]><!-- note --><c:d e:f="g &lt; h">end\r\nline</c:d></a>',
    );
    const events = async (size: number): Promise<string[]> => {
      const seen: string[] = [];
      let text = '';
      const handler: XmlHandler = {
        wantsText: true,
        open(name: string, attributes: XmlAttributes, isEmpty: boolean): void {
          if (text) seen.push(`text:${text}`);
          text = '';
          seen.push(`open:${name}:${attributes.get('x') ?? ''}:${attributes.get('y') ?? ''}:${attributes.get('f') ?? ''}:${isEmpty}`);
        },
        close(name: string): void {
          if (text) seen.push(`text:${text}`);
          text = '';
          seen.push(`close:${name}`);
        },
        text(value: string): void {
          text += value;
        },
      };
      const chunks = Array.from({ length: Math.ceil(xml.length / size) }, (_unused, index) => xml.subarray(index * size, (index + 1) * size));
      for await (const _step of scanXmlChunks(chunks, handler)) {
        // all events are in `seen`
      }
      return seen;
    };
    const whole = await events(xml.length);
    assert.deepEqual(whole, [
      'open:a:1:>2::false',
      'open:b::::true',
      'close:b',
      'text:te&xt 한글 👗<raw>',
      'open:d:::g < h:false',
      'text:end\nline',
      'close:d',
      'close:a',
    ]);
    for (let size = 1; size <= 13; size += 1) assert.deepEqual(await events(size), whole, `chunks of ${size} bytes`);
  });
});
