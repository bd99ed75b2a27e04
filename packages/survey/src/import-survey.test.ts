import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import ExcelJS from 'exceljs';

import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';
import { runLakeQuery, LakeInputError } from '@threadline/lake';

import { generateSurvey } from './generate-survey.js';
import { importSurvey } from './import-survey.js';
import { buildZip } from './testing/zip.js';

const ZONE = 'America/New_York';
const NOW = new Date('2026-11-25T15:00:00Z');

let db: TestDatabase;
let dataDir: string;
/** The first imported workbook, uploaded again under another name by the dedupe test. */
let firstUpload: Buffer | undefined;

before(async () => {
  db = await createTestDatabase();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tl-survey-'));
});

after(async () => {
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const input = (fileName: string, bytes: Buffer, limits = {}) => ({ pool: db.pool, dataDir, fileName, bytes, timeZone: ZONE, now: NOW, limits });

async function uploadCount(): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM survey_uploads');
  return rows[0]?.n ?? 0;
}

function surveyFiles(): string[] {
  const root = path.join(dataDir, 'lake', 'raw', 'survey');
  return existsSync(root) ? readdirSync(root, { recursive: true }).map(String).filter((file) => file.endsWith('.parquet')) : [];
}

async function workbook(build: (sheet: ExcelJS.Worksheet) => void, options: { empty?: boolean } = {}): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Responses');
  if (!options.empty) build(sheet);
  // exceljs returns its own Buffer type alias; it is a Node Buffer
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** A minimal ZIP with one small workbook entry and one entry that inflates enormously. */
function zipBomb(): Buffer {
  return buildZip([
    { name: 'xl/workbook.xml', content: Buffer.from('<workbook/>') },
    { name: 'xl/worksheets/sheet1.xml', content: Buffer.alloc(60 * 1024 * 1024, 0x20) },
  ]);
}

describe('survey import', () => {
  it('imports a generated English workbook: known accepted, rejected rows and channel counts', async () => {
    const survey = await generateSurvey({ rows: 400, badRows: 8, seed: 7 });
    firstUpload = survey.bytes;
    const stages: Array<[string, number]> = [];
    const report = await importSurvey({ ...input(survey.fileName, survey.bytes), onStage: (stage, milliseconds) => stages.push([stage, milliseconds]) });
    assert.equal(report.isDuplicate, false);
    assert.deepEqual(stages.map(([stage]) => stage), ['check', 'parse', 'parquet', 'record', 'catalog'], 'every stage is timed once, in order');
    assert.ok(stages.every(([, milliseconds]) => milliseconds >= 0 && milliseconds < 600_000));
    assert.equal(report.headerRow, 2, 'the title line above the header is skipped');
    assert.equal(report.rowsTotal, 400);
    assert.equal(report.rowsAccepted, survey.expected.rowsAccepted);
    assert.deepEqual(report.rejected.map((rejection) => rejection.row), survey.expected.rejectedRows);
    assert.deepEqual(report.channelCounts, survey.expected.channelCounts);
    assert.ok(report.rejected.some((rejection) => rejection.field === 'channel' && /unknown channel "Telepathy"/.test(rejection.reason)));
    const result = await runLakeQuery({
      pool: db.pool,
      lake: path.join(dataDir, 'lake'),
      sql: 'SELECT channel, count(*) AS n FROM survey_responses GROUP BY channel ORDER BY channel',
    });
    assert.deepEqual(Object.fromEntries(result.rows.map((row) => [row.channel, row.n])), survey.expected.channelCounts);
    assert.ok(existsSync(path.join(dataDir, 'uploads', 'survey', `${report.contentHash}.xlsx`)), 'the original file is kept');
    assert.match(report.parquetPath ?? '', /^raw\/survey\/upload_date=2026-11-25\//);
  });

  it('the same file uploaded twice is imported once', async () => {
    assert.ok(firstUpload);
    const before = await uploadCount();
    const report = await importSurvey(input('renamed-copy.xlsx', firstUpload));
    assert.equal(report.isDuplicate, true);
    assert.equal(await uploadCount(), before);
    assert.equal(surveyFiles().length, 1);
  });

  it('maps Korean headers and channel labels from a CSV', async () => {
    const survey = await generateSurvey({ rows: 120, badRows: 4, seed: 11, language: 'ko', format: 'csv' });
    const report = await importSurvey(input(survey.fileName, survey.bytes));
    assert.deepEqual(report.columns.map((column) => column.field), ['response_date', 'age_band', 'gender', 'region', 'channel', 'free_text']);
    assert.equal(report.rowsAccepted, survey.expected.rowsAccepted);
    assert.deepEqual(report.rejected.map((rejection) => rejection.row), survey.expected.rejectedRows);
    assert.deepEqual(report.channelCounts, survey.expected.channelCounts);
  });

  const bad: Array<[string, () => Promise<[string, Buffer]> | [string, Buffer], string, number]> = [
    ['a wrong extension', () => ['survey.pdf', Buffer.from('%PDF-1.7')], 'SURVEY_WRONG_EXTENSION', 415],
    ['a file that is not a spreadsheet', () => ['survey.xlsx', Buffer.from('this is plain text, not a workbook')], 'SURVEY_NOT_SPREADSHEET', 415],
    [
      'a password-protected workbook',
      () => ['survey.xlsx', Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(500), Buffer.from('EncryptedPackage', 'utf16le')])],
      'SURVEY_PASSWORD_PROTECTED',
      422,
    ],
    ['a zip bomb', () => ['survey.xlsx', zipBomb()], 'SURVEY_ZIP_BOMB', 413],
    [
      'a formula',
      async () => [
        'survey.xlsx',
        await workbook((sheet) => {
          sheet.addRow(['Date', 'Channel']);
          sheet.addRow(['2026-11-01', { formula: 'HYPERLINK("http://evil","TV")' }]);
        }),
      ],
      'SURVEY_FORMULAS',
      422,
    ],
    ['an empty sheet', async () => ['survey.xlsx', await workbook(() => undefined, { empty: true })], 'SURVEY_EMPTY', 422],
    [
      'thousands of columns',
      async () => [
        'survey.xlsx',
        await workbook((sheet) => {
          const row = sheet.addRow(['Date', 'Channel']);
          row.getCell(3000).value = 'x';
        }),
      ],
      'SURVEY_TOO_MANY_COLUMNS',
      422,
    ],
    ['a sheet without the needed columns', () => ['survey.csv', Buffer.from('name,email\nAda,ada@example.test\n')], 'SURVEY_MISSING_COLUMNS', 422],
    ['a file over the size limit', () => ['survey.csv', Buffer.alloc(2048, 'a')], 'SURVEY_TOO_LARGE', 413],
  ];

  for (const [what, make, code, status] of bad) {
    it(`refuses ${what} with ${status} ${code} and publishes nothing`, async () => {
      const before = await uploadCount();
      const files = surveyFiles().length;
      const [name, bytes] = await make();
      await assert.rejects(importSurvey(input(name, bytes, { maxBytes: what.includes('size') ? 1024 : 20 * 1024 * 1024 })), (error: unknown) => {
        assert.ok(error instanceof LakeInputError, String(error));
        assert.equal(error.code, code, error.message);
        // the kind the API maps to this status (apps/api/src/http/error-handler.ts KIND_STATUS)
        const kindOfStatus: Record<number, string> = { 413: 'too_large', 415: 'unsupported', 422: 'unprocessable' };
        assert.equal(error.kind, kindOfStatus[status]);
        return true;
      });
      assert.equal(await uploadCount(), before);
      assert.equal(surveyFiles().length, files);
    });
  }

  it('a file whose every row is invalid is refused with the report of each row', async () => {
    const bytes = Buffer.from('Date,How did you hear about us\n2026-11-01,Telepathy\nnot a date,TV\n');
    await assert.rejects(importSurvey(input('all-bad.csv', bytes)), (error: unknown) => {
      assert.ok(error instanceof LakeInputError);
      assert.equal(error.code, 'SURVEY_NO_VALID_ROWS');
      const details = error.details;
      assert.ok(typeof details === 'object' && details !== null && 'rejected' in details && Array.isArray(details.rejected));
      assert.deepEqual(details.rejected.map((rejection: { row: number }) => rejection.row), [2, 3]);
      return true;
    });
  });
});
