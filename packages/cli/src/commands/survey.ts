import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { Command } from 'commander';

import { addDays, dateInZone } from '@threadline/domain';
import { isLakeInputError } from '@threadline/lake';
import { generateSurvey, importSurvey, surveyNoticeText, type SurveyReport } from '@threadline/survey';
import { notifySlack } from '@threadline/ops';

import { parseFormat, printRows, withFormat } from '../output.js';
import { loadRuntime, withPool } from '../runtime.js';
import type { PostSeedStep } from './seed-step.js';

function printReport(report: SurveyReport, format: 'table' | 'json' | 'csv'): void {
  if (format === 'json') {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  if (format === 'csv') {
    printRows(report.rejected.map((rejection) => ({ row: rejection.row, field: rejection.field ?? '', reason: rejection.reason })), 'csv');
    return;
  }
  console.log(
    report.isDuplicate
      ? `"${report.fileName}" was already imported (same content, upload #${report.uploadId}); nothing new stored.`
      : `imported "${report.fileName}" → lake/${report.parquetPath}`,
  );
  console.log(`header row ${report.headerRow}: ${report.columns.map((column) => `${column.header} → ${column.field}`).join(', ')}`);
  if (report.ignoredColumns.length > 0) console.log(`ignored columns: ${report.ignoredColumns.join(', ')}`);
  console.log(`${report.rowsAccepted} of ${report.rowsTotal} rows accepted, ${report.rowsRejected} rejected\n`);
  printRows(Object.entries(report.channelCounts).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0)).map(([channel, count]) => ({ channel, respondents: count })), 'table');
  if (report.rejected.length > 0) {
    console.log('\nrejected rows:');
    printRows(report.rejected.map((rejection) => ({ row: rejection.row, field: rejection.field ?? '', reason: rejection.reason })), 'table');
  }
}

export function registerSurvey(program: Command): void {
  const survey = program.command('survey').description('offline-advertising survey (analysis 5.2): import spreadsheets, generate samples');

  withFormat(survey.command('import').description('import a survey .xlsx or .csv into the lake (same checks as the back-office upload)').argument('<file>', 'path of the .xlsx or .csv file')).action(
    async (file: string, options: { format?: string }) => {
      const format = parseFormat(options.format);
      const runtime = loadRuntime('survey');
      const bytes = await readFile(file).catch((error: unknown) => {
        throw new Error(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
      });
      await withPool(runtime, async (pool) => {
        try {
          const report = await importSurvey({ pool, dataDir: runtime.config.dataDir, fileName: path.basename(file), bytes, timeZone: runtime.config.shopTimeZone });
          printReport(report, format);
          if (!report.isDuplicate) {
            await notifySlack({ text: surveyNoticeText(report) }, { webhookUrl: runtime.config.slackWebhookUrl, logger: runtime.logger.child({}, { level: 'warn' }) });
          }
        } catch (error) {
          if (!isLakeInputError(error)) throw error;
          if (format === 'json' && error.details) console.log(JSON.stringify(error.details, null, 2));
          throw new Error(`${error.code}${error.field ? ` (${error.field})` : ''}: ${error.message}; nothing was imported`);
        }
      });
    },
  );

  survey
    .command('generate')
    .description('write a realistic sample survey file (and print the answers an import must give)')
    .option('--rows <n>', 'answers in the file', '1000')
    .option('--bad-rows <n>', 'rows made invalid on purpose', '0')
    .option('--language <en|ko>', 'header and answer language', 'en')
    .option('--format <xlsx|csv>', 'file type', 'xlsx')
    .option('--seed <n>', 'random seed (same seed → same answers)', '42')
    .option('--out <file>', 'where to write (default: ./<generated name>)')
    .action(async (options: { rows: string; badRows: string; language: string; format: string; seed: string; out?: string }) => {
      const rows = Number(options.rows);
      const badRows = Number(options.badRows);
      const seed = Number(options.seed);
      if (!Number.isInteger(rows) || rows < 1 || rows > 1_000_000) throw new Error('--rows must be 1-1000000');
      if (!Number.isInteger(badRows) || badRows < 0 || badRows > rows) throw new Error('--bad-rows must be 0..rows');
      if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
      if (options.language !== 'en' && options.language !== 'ko') throw new Error('--language must be en or ko');
      if (options.format !== 'xlsx' && options.format !== 'csv') throw new Error('--format must be xlsx or csv');
      const generated = await generateSurvey({ rows, badRows, seed, language: options.language, format: options.format });
      const target = options.out ?? generated.fileName;
      await writeFile(target, generated.bytes);
      console.log(`wrote ${target} (${generated.bytes.length} bytes): ${generated.expected.rowsAccepted} valid answers, ${generated.expected.rowsRejected} invalid`);
      console.log(JSON.stringify(generated.expected.channelCounts));
    });
}

/** Answers in the demo survey: enough for every channel, month and segment to show. */
const DEMO_SURVEY_ROWS = 1500;

/**
 * `threadline seed` step: the demo shop's customer survey (5.2), as staff would upload it — an
 * English .xlsx with answers over the seed's 90 days, imported through the same checks — so the
 * offline-advertising dashboard has figures at the first sign-in.
 */
export const surveySeedStep: PostSeedStep = {
  name: 'survey',
  async run(context) {
    // answers end on the shop's last seeded day (the marker's generation time)
    const to = dateInZone(new Date(context.marker.generatedAt), context.config.shopTimeZone);
    const generated = await generateSurvey({ rows: DEMO_SURVEY_ROWS, seed: context.seed, language: 'en', format: 'xlsx', from: addDays(to, -89), to });
    const report = await importSurvey({ pool: context.pool, dataDir: context.config.dataDir, fileName: `demo-${generated.fileName}`, bytes: generated.bytes, timeZone: context.config.shopTimeZone });
    context.log(`${report.rowsAccepted.toLocaleString('en-US')} answers imported${report.isDuplicate ? ' (already there)' : ''}`);
  },
};
