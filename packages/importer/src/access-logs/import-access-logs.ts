import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

import type { Pool } from '@threadline/db';
import { findAccessLogImport, finishAccessLogImport, startAccessLogImport } from '@threadline/db/access-log-imports';
import { deviceFromUserAgent, IMPORTED_TIER, ipPrefix, isBotUserAgent, jsonColumnsSpec, PARQUET_OPTIONS, pseudonymise, rebuildDayRollup, scrubPersonalData, selectFromJson, type StoredEvent } from '@threadline/clickstream';
import { CLICKSTREAM_DATASET, openDuckDb, sqlLiteral, type LakeStorage } from '@threadline/lake';

import { createStageClock } from '../stage-clock.js';
import { classifyRequest, DEFAULT_JSON_FIELDS, parseClfLine, parseJsonLine, type AccessLogRequest, type JsonFieldMap } from './parse-line.js';

/** `tier` of imported events: how analyses tell the old shop's history from live traffic. */
export { IMPORTED_TIER };

/** Named zones for offsets that are not whole hours (DuckDB reads only whole-hour Etc/GMT zones). */
const ZONE_OF_OFFSET: Record<number, string> = {
  [-570]: 'Pacific/Marquesas', [-210]: 'America/St_Johns', [-150]: 'America/St_Johns', 210: 'Asia/Tehran',
  270: 'Asia/Kabul', 330: 'Asia/Kolkata', 345: 'Asia/Kathmandu', 390: 'Asia/Yangon', 525: 'Australia/Eucla',
  570: 'Australia/Darwin', 630: 'Australia/Adelaide', 765: 'Pacific/Chatham', 825: 'Pacific/Chatham',
};

/**
 * The zone of a line's own UTC offset, so "visitors' local time" of imported history is the
 * time the server wrote on each line (the old server's clock), not the shop's zone today.
 * Whole hours map to `Etc/GMT±N` (whose sign is inverted by POSIX convention).
 */
export function zoneOfOffset(offsetMinutes: number | null, fallback: string): string {
  if (offsetMinutes === null) return fallback;
  if (offsetMinutes === 0) return 'UTC';
  if (offsetMinutes % 60 === 0) return `Etc/GMT${offsetMinutes > 0 ? '-' : '+'}${Math.abs(offsetMinutes / 60)}`;
  return ZONE_OF_OFFSET[offsetMinutes] ?? fallback;
}

/** A visit ends after 30 minutes without a request (the usual web-analytics rule). */
const SESSION_GAP_MS = 30 * 60_000;

export type LogFormat = 'auto' | 'combined' | 'json';

export interface AccessLogImportOptions {
  pool: Pool;
  storage: LakeStorage;
  /** scratch space for staging files */
  workDir?: string;
  pseudonymKey: string;
  /** zone recorded for lines without a UTC offset of their own (each line's offset wins) */
  timeZone: string;
  format?: LogFormat;
  jsonFields?: JsonFieldMap;
  /** how many malformed lines to keep in the report, with their numbers */
  showMalformed?: number;
  onProgress?: (progress: { file: string; bytes: number; totalBytes: number; lines: number }) => void;
}

export interface AccessLogFileReport {
  file: string;
  contentHash: string;
  status: 'imported' | 'already-imported';
  format: 'combined' | 'json';
  lines: number;
  events: number;
  pageRequests: number;
  staticRequests: number;
  healthChecks: number;
  bots: number;
  /** lines without a user agent (Common Log Format): counted as humans of an unknown device */
  withoutUserAgent: number;
  /** lines cut inside their trailing fields, kept with what was intact */
  truncated: number;
  truncatedSamples: Array<{ line: number; reason: string }>;
  malformed: number;
  malformedSamples: Array<{ line: number; reason: string }>;
  firstEventAt: string | null;
  lastEventAt: string | null;
  days: string[];
  seconds: number;
  linesPerSecond: number;
  /** seconds per stage: hash, parse (lines → events), load (into DuckDB), parquet, upload, rollups, record */
  stages: Record<string, number>;
}

/** UUID-shaped id derived from the file and line: the same line always gets the same id. */
export function lineEventId(contentHash: string, lineNumber: number): string {
  const hex = createHash('sha256').update(`${contentHash}:${lineNumber}`).digest('hex');
  const variant = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

function referrerHost(referrer: string | null): string | null {
  if (!referrer) return null;
  try {
    return new URL(referrer).host || null;
  } catch {
    return null;
  }
}

interface Session {
  last: number;
  id: string;
}

/**
 * Turns parsed requests into lake events: the visitor is a keyed hash of address + user agent
 * (never the address itself), visits are split after 30 idle minutes, assets and health checks
 * stay as `access_log` events, bots are flagged.
 */
class EventBuilder {
  private readonly sessions = new Map<string, Session>();
  counts = { events: 0, pageRequests: 0, staticRequests: 0, healthChecks: 0, bots: 0, withoutUserAgent: 0 };
  first: number | null = null;
  last: number | null = null;
  /** UTC days touched, as day numbers since the epoch (cheaper than a date string per line) */
  private readonly dayNumbers = new Set<number>();
  /** referrer → host: URL parsing is the costliest step of a line, and referrers repeat */
  private readonly referrerHosts = new Map<string, string | null>();

  get days(): string[] {
    return [...this.dayNumbers].sort((a, b) => a - b).map((day) => new Date(day * 86_400_000).toISOString().slice(0, 10));
  }

  constructor(
    private readonly key: string,
    private readonly contentHash: string,
    private readonly timeZone: string,
    private readonly receivedAt: number,
  ) {}

  /** address|agent → visitor id: the keyed hash is computed once per visitor, not per line */
  private readonly visitors = new Map<string, string>();

  build(request: AccessLogRequest, lineNumber: number): StoredEvent {
    const visitorKey = `${request.ip}|${request.userAgent ?? ''}`;
    let visitorId = this.visitors.get(visitorKey);
    if (visitorId === undefined) {
      visitorId = pseudonymise(this.key, 'legacy-visitor', visitorKey);
      this.visitors.set(visitorKey, visitorId);
    }
    let session = this.sessions.get(visitorId);
    if (!session || Math.abs(request.time - session.last) > SESSION_GAP_MS) {
      session = { last: request.time, id: pseudonymise(this.key, 'legacy-session', `${visitorId}|${request.time}`) };
      this.sessions.set(visitorId, session);
    }
    session.last = Math.max(session.last, request.time);
    const kind = classifyRequest(request.path);
    const isPage = kind === 'page' && (request.method === 'GET' || request.method === 'HEAD') && request.status < 400;
    // a log without user agents (Common Log Format) says nothing about bots: unknown, not a bot
    const isBot = request.userAgent !== null && isBotUserAgent(request.userAgent);
    if (request.userAgent === null) this.counts.withoutUserAgent += 1;
    this.counts.events += 1;
    if (isPage) this.counts.pageRequests += 1;
    if (kind === 'static') this.counts.staticRequests += 1;
    if (kind === 'health') this.counts.healthChecks += 1;
    if (isBot) this.counts.bots += 1;
    this.first = this.first === null ? request.time : Math.min(this.first, request.time);
    this.last = this.last === null ? request.time : Math.max(this.last, request.time);
    this.dayNumbers.add(Math.floor(request.time / 86_400_000));
    const query = request.query.includes('utm_') ? new URLSearchParams(request.query) : undefined;
    // old logs hold what visitors typed into URLs: scrubbed like every event entering the lake
    const utm = (name: string): string | null => scrubPersonalData(query?.get(`utm_${name}`)?.slice(0, 200) ?? null);
    const path = scrubPersonalData(request.path.slice(0, 2048));
    let host = request.referrer === null ? null : this.referrerHosts.get(request.referrer);
    if (host === undefined && request.referrer !== null) {
      host = referrerHost(request.referrer);
      if (this.referrerHosts.size > 50_000) this.referrerHosts.clear();
      this.referrerHosts.set(request.referrer, host);
    }
    return {
      event_id: lineEventId(this.contentHash, lineNumber),
      event_type: isPage ? 'page_view' : 'access_log',
      event_time: request.time,
      received_at: this.receivedAt,
      visitor_id: visitorId,
      session_id: session.id,
      user_pseudonym: null,
      path,
      referrer_host: host ?? null,
      utm_source: utm('source'),
      utm_medium: utm('medium'),
      utm_campaign: utm('campaign'),
      utm_term: utm('term'),
      utm_content: utm('content'),
      device: deviceFromUserAgent(request.userAgent ?? undefined),
      language: null,
      time_zone: zoneOfOffset(request.offsetMinutes, this.timeZone),
      region: 'other',
      is_bot: isBot,
      ip_prefix: ipPrefix(request.ip),
      product_id: null,
      search_query: null,
      value_cents: null,
      currency: null,
      tier: IMPORTED_TIER,
      http_method: request.method,
      http_route: path,
      http_status: request.status,
      duration_ms: request.durationMs,
      bytes: request.bytes,
    };
  }
}

function detectFormat(firstLine: string): 'combined' | 'json' {
  return firstLine.trimStart().startsWith('{') ? 'json' : 'combined';
}

async function listFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await listFiles(full)));
    else if (entry.name.endsWith('.parquet')) found.push(full);
  }
  return found;
}

/**
 * Imports one web server log file into the clickstream lake (`raw/clickstream/dt=/hour=` by the
 * time in each line, its UTC offset applied) and rebuilds the hourly rollups of the days it
 * touched. Importing the same file again adds nothing: files are recognised by content hash,
 * and event ids and file names are derived from it, so even a re-run after a crash replaces
 * rather than duplicates.
 */
export async function importAccessLogFile(file: string, options: AccessLogImportOptions): Promise<AccessLogFileReport> {
  const started = performance.now();
  const clock = createStageClock();
  const contentHash = await hashFile(file);
  clock.lap('hash');
  const existing = await findAccessLogImport(options.pool, contentHash);
  const base = {
    file,
    contentHash,
    malformedSamples: [] as Array<{ line: number; reason: string }>,
    truncatedSamples: [] as Array<{ line: number; reason: string }>,
  };
  if (existing?.status === 'done') {
    return {
      ...base,
      status: 'already-imported',
      format: existing.format,
      lines: existing.lines,
      events: 0,
      pageRequests: 0,
      staticRequests: 0,
      healthChecks: 0,
      bots: 0,
      withoutUserAgent: 0,
      truncated: 0,
      malformed: existing.malformed,
      firstEventAt: existing.firstEventAt?.toISOString() ?? null,
      lastEventAt: existing.lastEventAt?.toISOString() ?? null,
      days: [],
      seconds: (performance.now() - started) / 1000,
      linesPerSecond: 0,
      stages: clock.stages,
    };
  }

  const work = await mkdtemp(path.join(options.workDir ?? tmpdir(), 'access-log-import-'));
  try {
    const totalBytes = (await stat(file)).size;
    const isCompressed = await isGzip(file);
    let bytes = 0;
    // no await between opening the stream and attaching the reader: a flowing stream would drop data
    const raw = createReadStream(file);
    const input: Readable = isCompressed ? raw.pipe(createGunzip()) : raw;
    const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    raw.on('data', (chunk: Buffer | string) => (bytes += chunk.length));
    const ndjson = path.join(work, 'events.ndjson');
    const out = createWriteStream(ndjson);
    const builder = new EventBuilder(options.pseudonymKey, contentHash, options.timeZone, Date.now());
    const showMalformed = options.showMalformed ?? 20;
    let lineNumber = 0;
    let malformed = 0;
    let truncated = 0;
    let format: 'combined' | 'json' | undefined = options.format && options.format !== 'auto' ? options.format : undefined;
    const fields = options.jsonFields ?? DEFAULT_JSON_FIELDS;
    let buffer = '';
    for await (const line of lines) {
      lineNumber += 1;
      if (line.trim() === '') continue;
      format ??= detectFormat(line);
      const parsed = format === 'json' ? parseJsonLine(line, fields) : parseClfLine(line);
      if (!parsed.ok) {
        malformed += 1;
        if (base.malformedSamples.length < showMalformed) base.malformedSamples.push({ line: lineNumber, reason: parsed.reason });
        continue;
      }
      if (parsed.isTruncated) {
        truncated += 1;
        if (base.truncatedSamples.length < showMalformed) base.truncatedSamples.push({ line: lineNumber, reason: 'cut inside the referrer or user agent; kept with the fields before the cut' });
      }
      buffer += `${JSON.stringify(builder.build(parsed.request, lineNumber))}\n`;
      if (buffer.length > 1 << 20) {
        if (!out.write(buffer)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        buffer = '';
      }
      if ((lineNumber & 0x3fff) === 0) options.onProgress?.({ file, bytes, totalBytes, lines: lineNumber });
    }
    out.end(buffer);
    await new Promise<void>((resolve, reject) => out.once('finish', resolve).once('error', reject));
    options.onProgress?.({ file, bytes: totalBytes, totalBytes, lines: lineNumber });
    const detected = format ?? 'combined';
    clock.lap('parse');

    await startAccessLogImport(options.pool, { contentHash, fileName: path.basename(file), format: detected, importedBy: null });
    if (builder.counts.events > 0) {
      const staging = path.join(work, 'parquet');
      await mkdir(staging, { recursive: true });
      const db = await openDuckDb({ threads: 2 });
      try {
        await db.run(`SET TimeZone = 'UTC'`);
        await db.run(
          `CREATE TEMP TABLE imported AS
             SELECT strftime(event_time, '%Y-%m-%d') AS dt, strftime(event_time, '%H') AS hour, * FROM (
               SELECT ${selectFromJson()} FROM read_json(${sqlLiteral(ndjson)}, format = 'newline_delimited', columns = ${jsonColumnsSpec()}))
             ORDER BY event_time`,
        );
        clock.lap('load');
        // one COPY per day (at most 24 hour partitions open): a single COPY over years of history
        // opens thousands of partition writers at once and runs DuckDB out of memory.
        // File names carry the content hash: a re-run after a crash overwrites, never adds.
        for (const day of builder.days) {
          await db.run(
            `COPY (SELECT * EXCLUDE (dt) FROM imported WHERE dt = ${sqlLiteral(day)} ORDER BY event_time)
               TO ${sqlLiteral(path.join(staging, `dt=${day}`))} (${PARQUET_OPTIONS}, PARTITION_BY (hour), FILENAME_PATTERN 'import-${contentHash.slice(0, 16)}-{i}')`,
          );
        }
        await db.run('DROP TABLE imported');
        clock.lap('parquet');
        for (const local of await listFiles(staging)) {
          const relative = path.relative(staging, local).split(path.sep).join('/');
          await options.storage.put(local, `raw/${CLICKSTREAM_DATASET}/${relative}`);
        }
        clock.lap('upload');
        for (const day of builder.days) await rebuildDayRollup(db, options.storage, work, day);
        clock.lap('rollups');
      } finally {
        db.close();
      }
    }
    await finishAccessLogImport(options.pool, {
      contentHash,
      lines: lineNumber,
      events: builder.counts.events,
      pageRequests: builder.counts.pageRequests,
      malformed,
      firstEventAt: builder.first === null ? null : new Date(builder.first),
      lastEventAt: builder.last === null ? null : new Date(builder.last),
    });
    clock.lap('record');
    const seconds = (performance.now() - started) / 1000;
    return {
      ...base,
      status: 'imported',
      format: detected,
      lines: lineNumber,
      ...builder.counts,
      truncated,
      malformed,
      firstEventAt: builder.first === null ? null : new Date(builder.first).toISOString(),
      lastEventAt: builder.last === null ? null : new Date(builder.last).toISOString(),
      days: builder.days,
      seconds,
      linesPerSecond: Math.round(lineNumber / Math.max(seconds, 0.001)),
      stages: clock.stages,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
