import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

import cliProgress from 'cli-progress';
import type { Command } from 'commander';

import { listAccessLogImports } from '@threadline/db/access-log-imports';
import { importAccessLogFile, type AccessLogFileReport, type JsonFieldMap, type LogFormat } from '@threadline/importer';
import { clickstreamSettings, createLakeStorage } from '@threadline/clickstream';

import { parseFormat, printRows, withFormat } from '../output.js';
import { loadRuntime, withPool } from '../runtime.js';

interface AccessLogCliOptions {
  logFormat: string;
  jsonMap?: string;
  showMalformed: string;
  format: string;
}

const LOG_FORMATS: readonly LogFormat[] = ['auto', 'combined', 'json'];

async function readJsonMap(file: string): Promise<JsonFieldMap> {
  const { readFile } = await import('node:fs/promises');
  const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || !Object.values(parsed).every((value) => typeof value === 'string')) {
    throw new Error(`${file}: expected { "time": "time_iso8601", "ip": "remote_addr", "status": "status", … }`);
  }
  const map = parsed as Record<string, string>; // every value checked to be a string just above
  for (const required of ['time', 'ip', 'status']) {
    if (!map[required]) throw new Error(`${file}: the mapping needs "${required}"`);
  }
  if (!map.request && !(map.method && map.uri)) throw new Error(`${file}: the mapping needs "request", or "method" and "uri"`);
  // checked: time, ip and status present, and a way to read the request
  return map as unknown as JsonFieldMap;
}

function summarise(report: AccessLogFileReport): Record<string, unknown> {
  return {
    file: report.file,
    status: report.status,
    lines: report.lines,
    events: report.events,
    pages: report.pageRequests,
    assets: report.staticRequests,
    health: report.healthChecks,
    bots: report.bots,
    'no agent': report.withoutUserAgent,
    truncated: report.truncated,
    malformed: report.malformed,
    from: report.firstEventAt ?? '',
    to: report.lastEventAt ?? '',
    'lines/s': report.linesPerSecond,
  };
}

export function registerAccessLogImport(importCommand: Command): void {
  withFormat(
    importCommand
      .command('access-logs <files...>')
      .description('import old web server logs (Apache/nginx Common or Combined format, plain or .gz, or nginx JSON; "-" reads standard input) into the clickstream lake')
      .option('--log-format <format>', `log format: ${LOG_FORMATS.join('|')}`, 'auto')
      .option('--json-map <mapping.json>', 'field mapping for nginx JSON logs, e.g. { "time": "time_iso8601", "ip": "remote_addr", "request": "request", "status": "status" }')
      .option('--show-malformed <n>', 'how many malformed lines to list per file', '10'),
    ['table', 'json'],
  ).action(async (files: string[], options: AccessLogCliOptions) => {
    const format = parseFormat(options.format, ['table', 'json']);
    const logFormat = LOG_FORMATS.find((value) => value === options.logFormat);
    if (!logFormat) throw new Error(`--log-format must be one of ${LOG_FORMATS.join(', ')}`);
    const jsonFields = options.jsonMap ? await readJsonMap(options.jsonMap) : undefined;
    const runtime = loadRuntime('import');
    const storage = createLakeStorage(runtime.config.dataDir, clickstreamSettings(runtime.config));
    const scratch = await mkdtemp(path.join(tmpdir(), 'threadline-import-'));
    const reports: AccessLogFileReport[] = [];
    const bar = process.stderr.isTTY
      ? new cliProgress.SingleBar(
          { format: '{file} [{bar}] {percentage}% | {lines} lines | {rate} lines/s', hideCursor: true, stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
    try {
      await withPool(runtime, async (pool) => {
        for (const file of files) {
          let source = file;
          if (file === '-') {
            // standard input is read once into a file, so it can be hashed and re-read like any log
            source = path.join(scratch, 'stdin.log');
            await pipeline(process.stdin, createWriteStream(source));
          }
          const started = Date.now();
          bar?.start(1, 0, { file: path.basename(file), lines: 0, rate: 0 });
          const report = await importAccessLogFile(source, {
            pool,
            storage,
            workDir: scratch,
            pseudonymKey: runtime.secrets.pseudonymKey,
            timeZone: runtime.config.shopTimeZone,
            format: logFormat,
            ...(jsonFields ? { jsonFields } : {}),
            showMalformed: Number(options.showMalformed) || 10,
            onProgress: ({ bytes, totalBytes, lines }) => {
              bar?.setTotal(Math.max(1, totalBytes));
              bar?.update(bytes, { lines, rate: Math.round(lines / Math.max(0.001, (Date.now() - started) / 1000)) });
            },
          });
          bar?.stop();
          reports.push({ ...report, file });
          if (format === 'table') {
            const verdict = report.status === 'already-imported' ? 'already imported earlier: nothing added' : `${report.events} events written for ${report.days.length} day(s)`;
            console.log(`${file}: ${verdict}; ${report.malformed} malformed of ${report.lines} lines`);
            for (const sample of report.malformedSamples) console.log(`  line ${sample.line}: ${sample.reason}`);
            if (report.malformed > report.malformedSamples.length) console.log(`  … ${report.malformed - report.malformedSamples.length} more malformed lines`);
          }
        }
      });
    } finally {
      bar?.stop();
      await rm(scratch, { recursive: true, force: true });
    }
    if (format === 'json') console.log(JSON.stringify(reports, null, 2));
    else printRows(reports.map(summarise), 'table');
  });

  withFormat(importCommand.command('history').description('the web server log files imported so far')).action(async (options: { format: string }) => {
    const runtime = loadRuntime('import');
    const rows = await withPool(runtime, (pool) => listAccessLogImports(pool));
    printRows(
      rows.map((row) => ({
        file: row.fileName,
        status: row.status,
        lines: row.lines,
        events: row.events,
        pages: row.pageRequests,
        malformed: row.malformed,
        from: row.firstEventAt?.toISOString() ?? '',
        to: row.lastEventAt?.toISOString() ?? '',
        hash: row.contentHash.slice(0, 12),
      })),
      parseFormat(options.format),
    );
  });
}
