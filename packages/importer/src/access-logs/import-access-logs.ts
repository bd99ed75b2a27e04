import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';

import type { Pool } from '@threadline/db';
import { findAccessLogImport, finishAccessLogImport, startAccessLogImport } from '@threadline/db/access-log-imports';
import { CLICKSTREAM_COLUMNS, deviceFromUserAgent, IMPORTED_TIER, ipPrefix, isBotUserAgent, PARQUET_OPTIONS, pseudonymise, rebuildDayRollupsFromTable, scrubPersonalData, type ClickstreamColumn } from '@threadline/clickstream';
import { CLICKSTREAM_DATASET, openDuckDb, sqlLiteral, type LakeDb, type LakeStorage } from '@threadline/lake';

import { createStageClock } from '../stage-clock.js';
import { CsvRows } from './csv-rows.js';
import { lineBatches } from './read-lines.js';
import { Ipv4VisitorIndex, ipv4Number } from './visitor-index.js';
import { classifyRequest, DEFAULT_JSON_FIELDS, parseClfLine, parseJsonLine, type AccessLogRequest, type JsonFieldMap, type RequestKind } from './parse-line.js';

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
  /**
   * Lines parsed between two loads into DuckDB (default 65,536): each load writes the days
   * finished by then into the lake while the next lines are parsed. Smaller only in tests.
   */
  loadEveryRows?: number;
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
  /** seconds per stage: hash, parse (lines → events, with loads and writes of finished days behind it), parquet (loads and writes left after the last line), upload, rollups, record; and loadBusy, parquetBusy: DuckDB's seconds loading and writing in all (overlapping the stages) */
  stages: Record<string, number>;
}

/**
 * The event id prefix of a file: the first 80 bits of its content hash (SHA-256), laid out as
 * the first four groups of a version-5-shaped UUID. The last group is the line number.
 */
function eventIdPrefix(contentHash: string): string {
  const variant = ((Number.parseInt(contentHash[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${contentHash.slice(0, 8)}-${contentHash.slice(8, 12)}-5${contentHash.slice(13, 16)}-${variant}${contentHash.slice(17, 20)}-`;
}

/**
 * UUID-shaped id derived from the file and line: the same line always gets the same id, and
 * lines of different files differ in the content hash part. No hash per line: the content hash
 * already names the file, and the line number (12 hex digits) names the line in it.
 */
export function lineEventId(contentHash: string, lineNumber: number): string {
  return `${eventIdPrefix(contentHash)}${lineNumber.toString(16).padStart(12, '0')}`;
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  // 1 MiB reads: half the CPU of the default 64 KiB ones (0.55 → 0.29 s for 295 MB); the hash must
  // be known before the first line is loaded (event ids and file names derive from it)
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), hash);
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

/** A distinct request target (path and query): scrubbed path, kind and UTM fields, worked out once. */
interface TargetRow {
  i: number;
  kind: RequestKind;
  path: string;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
}

/** A distinct user agent: bot flag and device class, worked out once (isbot's pattern is costly). */
interface AgentRow {
  /** short number standing for the agent in visitor keys */
  n: number;
  isBot: boolean;
  device: string;
}

/** How many new visitors go to the hashing thread at once. */
const VISITOR_HASH_BATCH = 4096;

/**
 * The keyed hash of `pseudonymise` (HMAC-SHA-256, first 22 base64url characters), run on a
 * thread of its own: a busy log brings a new visitor on most lines, and their hashes were the
 * largest single cost of reading a log. Plain JavaScript, evaluated as the worker's script, so
 * it needs no loader; the visitor test checks its ids equal `pseudonymise`'s.
 */
const VISITOR_HASH_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHmac } = require('node:crypto');
const agents = [];
parentPort.on('message', ({ addresses, agentNumbers, newAgents }) => {
  for (const agent of newAgents) agents.push(agent);
  parentPort.postMessage(addresses.map((address, index) => createHmac('sha256', workerData.key).update('legacy-visitor:' + address + '|' + agents[agentNumbers[index]]).digest('base64url').slice(0, 22)));
});
`;

/**
 * A batch of visitors to hash: addresses and agent numbers, with the texts of agents first seen
 * since the last batch (the thread keeps them), so no key string is built or copied per visitor.
 */
interface VisitorBatch {
  addresses: string[];
  agentNumbers: number[];
  newAgents: string[];
}

/** Hashes batches of visitor keys on a worker thread, answers in the order they were sent. */
class VisitorHasher {
  private readonly worker: Worker;
  private readonly waiting: Array<{ resolve: (ids: string[]) => void; reject: (error: unknown) => void }> = [];
  private failure: { error: unknown } | undefined;

  constructor(key: string) {
    this.worker = new Worker(VISITOR_HASH_WORKER, { eval: true, workerData: { key }, execArgv: [] });
    this.worker.on('message', (ids: string[]) => this.waiting.shift()?.resolve(ids));
    const fail = (error: unknown): void => {
      this.failure ??= { error };
      for (const waiter of this.waiting.splice(0)) waiter.reject(error);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the visitor hashing thread stopped (exit code ${code})`)));
  }

  hash(batch: VisitorBatch): Promise<string[]> {
    if (this.failure !== undefined) return Promise.reject(this.failure.error);
    const answer = new Promise<string[]>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.worker.postMessage(batch);
    return answer;
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/**
 * Visitors (address + user agent), columnar: parallel arrays indexed by the visitor's number
 * instead of an object and a joined key string per visitor. Most lines of a busy log bring a new
 * visitor, so per-visitor objects were most of the parse stage's allocations (and its GC time).
 * Their keyed hashes are worked out in batches on a thread of its own while lines are read
 * (small files, below one batch, are hashed here and start no thread).
 */
class VisitorTable {
  /** IPv4 visitors by address number and agent number */
  private readonly ipv4 = new Ipv4VisitorIndex();
  /** other addresses (IPv6, host names), per agent number: address → visitor number */
  private readonly byAgent: Array<Map<string, number>> = [];
  /** visitors (address, agent number) not yet sent to be hashed */
  private pendingAddresses: string[] = [];
  private pendingAgents: number[] = [];
  /** agent texts by agent number; those below `agentsSent` are known to the hashing thread */
  private readonly agentTexts: string[] = [];
  private agentsSent = 0;
  /** hashed ids per batch sent, in visitor order */
  private readonly batches: Array<Promise<string[]>> = [];
  private hasher: VisitorHasher | undefined;
  private count = 0;
  readonly prefixes: Array<string | null> = [];
  readonly agents: AgentRow[] = [];

  constructor(private readonly key: string) {}

  /** `address`: the IPv4 number of `ip` (`ipv4Number`), -1 for any other address */
  find(agent: AgentRow, ip: string, address: number): number | undefined {
    if (address >= 0) {
      const visitor = this.ipv4.get(address, agent.n);
      return visitor < 0 ? undefined : visitor;
    }
    return this.byAgent[agent.n]?.get(ip);
  }

  add(agent: AgentRow, ip: string, address: number, agentText: string, prefix: string | null): number {
    const number = this.count;
    this.count += 1;
    if (address >= 0) {
      this.ipv4.set(address, agent.n, number);
    } else {
      let addresses = this.byAgent[agent.n];
      if (addresses === undefined) {
        addresses = new Map();
        this.byAgent[agent.n] = addresses;
      }
      addresses.set(ip, number);
    }
    // agent numbers are given in order of first sight, and an agent's first line is a new visitor
    if (agent.n === this.agentTexts.length) this.agentTexts.push(agentText);
    this.pendingAddresses.push(ip);
    this.pendingAgents.push(agent.n);
    if (this.pendingAddresses.length >= VISITOR_HASH_BATCH) this.send();
    this.prefixes.push(prefix);
    this.agents.push(agent);
    return number;
  }

  private send(): void {
    this.hasher ??= new VisitorHasher(this.key);
    const batch = this.hasher.hash({ addresses: this.pendingAddresses, agentNumbers: this.pendingAgents, newAgents: this.agentTexts.slice(this.agentsSent) });
    this.agentsSent = this.agentTexts.length;
    // a failure is rethrown by ids(); until then it must not count as unhandled
    batch.catch(() => undefined);
    this.batches.push(batch);
    this.pendingAddresses = [];
    this.pendingAgents = [];
  }

  /** Ids of the visitors hashed so far, by visitor number, gathered in the order the batches were sent. */
  private readonly hashed: string[] = [];
  private gathered: Promise<string[]> = Promise.resolve(this.hashed);

  /**
   * Every visitor's keyed id so far, by visitor number (as `pseudonymise(key, 'legacy-visitor',
   * '<address>|<agent>')`). Call it when every visitor of the rows to load has been added: the
   * visitors pending are sent at once (or hashed here, when no thread was started).
   */
  idsSoFar(): Promise<string[]> {
    if (this.hasher === undefined) {
      for (let index = 0; index < this.pendingAddresses.length; index += 1) {
        this.hashed.push(pseudonymise(this.key, 'legacy-visitor', `${this.pendingAddresses[index] as string}|${this.agentTexts[this.pendingAgents[index] as number] as string}`)); // every pending visitor has an address and an agent with its text
      }
      this.pendingAddresses = [];
      this.pendingAgents = [];
      return this.gathered;
    }
    if (this.pendingAddresses.length > 0) this.send();
    const batches = this.batches.splice(0);
    // after the batches asked for before (a later call never gathers ahead of an earlier one)
    this.gathered = this.gathered.then(async (hashed) => {
      for (const ids of await Promise.all(batches)) for (const id of ids) hashed.push(id);
      return hashed;
    });
    return this.gathered;
  }

  /** How many visitors there are (numbers below it are taken). */
  get size(): number {
    return this.count;
  }

  /** Stops the hashing thread (if one was started). */
  async close(): Promise<void> {
    await this.hasher?.close();
  }

  /**
   * Visitors `from` up to `to` (not included) as CSV without quoting (`i,visitor_id,ip_prefix,device,is_bot`):
   * ids are base64url, prefixes `a.b.c.0/24` or `x:y:z::/48`, devices single words; an empty prefix
   * reads back as NULL. `ids`: from `idsSoFar`, called once the visitors below `to` were added.
   */
  async write(file: string, ids: readonly string[], from: number, to: number): Promise<void> {
    const out = createWriteStream(file);
    let chunk = '';
    for (let number = from; number < to; number += 1) {
      const agent = this.agents[number] as AgentRow; // the arrays grow together in add()
      chunk += `${number},${ids[number] as string},${this.prefixes[number] ?? ''},${agent.device},${agent.isBot}\n`; // idsSoFar covered every visitor below `to`
      if (chunk.length > 1 << 20) {
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        chunk = '';
      }
    }
    out.end(chunk);
    await new Promise<void>((resolve, reject) => out.once('finish', resolve).once('error', reject));
  }
}

/** Values numbered in order of first sight, written once as a small dimension table. */
class Dictionary<Row extends { i: number }> {
  private readonly byKey = new Map<string, Row>();
  readonly rows: Row[] = [];

  get(key: string): Row | undefined {
    return this.byKey.get(key);
  }

  add(key: string, row: Omit<Row, 'i'>): Row {
    // the caller's row lacks only the number, which is assigned here (no copy: the row is fresh)
    const full = Object.assign(row, { i: this.rows.length }) as Row;
    this.rows.push(full);
    this.byKey.set(key, full);
    return full;
  }

  /** Rows `from` up to `to` (not included), one JSON object a line. */
  async write(file: string, from: number, to: number): Promise<void> {
    await writeFile(file, this.rows.slice(from, to).map((row) => JSON.stringify(row)).join('\n'));
  }
}

type UtmField = 'source' | 'medium' | 'campaign' | 'term' | 'content';

/**
 * Turns parsed requests into lake events, columnar: each line becomes one row of numbers (line,
 * time, visit start, visitor, target, referrer, zone, method, flags) and every distinct value
 * (visitor, request target, referrer host, zone, method) is worked out once into a dimension
 * table that DuckDB joins back. The visitor is a keyed hash of address + user agent (never the
 * address itself), visits are split after 30 idle minutes, assets and health checks stay as
 * `access_log` events, bots are flagged; paths and UTM values are scrubbed of personal data.
 */
class EventStager {
  counts = { events: 0, pageRequests: 0, staticRequests: 0, healthChecks: 0, bots: 0, withoutUserAgent: 0 };
  first: number | null = null;
  last: number | null = null;
  /** rows staged since the last `cut` */
  rowsSinceCut = 0;
  /** the time of the current chunk's first row: rows carry their time as milliseconds after it */
  private base = 0;
  /** days (numbers) below this were handed to the writers: a line of one of them makes it late */
  handedOff = Number.NEGATIVE_INFINITY;
  /** handed-off days that got lines afterwards (an out-of-order log): written again at the end */
  readonly lateDays = new Set<number>();
  /** UTC days touched, as day numbers since the epoch (cheaper than a date string per line) */
  private readonly dayNumbers = new Set<number>();
  /** address → network prefix (addresses other than IPv4) */
  private readonly prefixes = new Map<string, string | null>();
  /** IPv4 /24 network (address number >>> 8) → its prefix text */
  private readonly ipv4Prefixes = new Map<number, string | null>();
  private readonly agents = new Map<string, AgentRow>();
  readonly visitors: VisitorTable;
  readonly targets = new Dictionary<TargetRow>();
  readonly referrers = new Dictionary<{ i: number; host: string | null }>();
  readonly zones = new Dictionary<{ i: number; zone: string }>();
  readonly methods = new Dictionary<{ i: number; method: string }>();
  /** per visitor number: when the current visit started and its last request */
  private readonly visitStart: number[] = [];
  private readonly visitLast: number[] = [];
  private readonly rows = new CsvRows();
  private out: WriteStream;
  private chunks = 0;

  get days(): string[] {
    return this.daysIn(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  }

  /** The UTC days touched, from day number `from` up to `to` (not included), in order. */
  daysIn(from: number, to: number): string[] {
    return [...this.dayNumbers].filter((day) => day >= from && day < to).sort((a, b) => a - b).map(dayText);
  }

  constructor(
    key: string,
    private readonly timeZone: string,
    /** where the staged rows go: `chunk(0)`, `chunk(1)`… one file per `cut` */
    private readonly chunk: (number: number) => string,
  ) {
    this.out = createWriteStream(chunk(0));
    this.visitors = new VisitorTable(key);
  }

  /** The visitor's number (address + user agent); new visitors are pseudonymised once. */
  private visitor(request: AccessLogRequest): number {
    const agentText = request.userAgent ?? '';
    let agent = this.agents.get(agentText);
    if (agent === undefined) {
      // a log without user agents (Common Log Format) says nothing about bots: unknown, not a bot
      agent = { n: this.agents.size, isBot: request.userAgent !== null && isBotUserAgent(request.userAgent), device: deviceFromUserAgent(request.userAgent ?? undefined) };
      this.agents.set(agentText, agent);
    }
    const address = ipv4Number(request.ip);
    const known = this.visitors.find(agent, request.ip, address);
    if (known !== undefined) return known;
    return this.visitors.add(agent, request.ip, address, agentText, this.prefix(request.ip, address));
  }

  /** The network prefix of an address; an IPv4 address's is its /24: one per network, not per address. */
  private prefix(ip: string, address: number): string | null {
    if (address >= 0) {
      const network = address >>> 8;
      let prefix = this.ipv4Prefixes.get(network);
      if (prefix === undefined) {
        prefix = ipPrefix(ip);
        this.ipv4Prefixes.set(network, prefix);
      }
      return prefix;
    }
    let prefix = this.prefixes.get(ip);
    if (prefix === undefined) {
      prefix = ipPrefix(ip);
      this.prefixes.set(ip, prefix);
    }
    return prefix;
  }

  private target(request: AccessLogRequest): TargetRow {
    const key = request.query === '' ? request.path : `${request.path}?${request.query}`;
    const known = this.targets.get(key);
    if (known !== undefined) return known;
    const query = request.query.includes('utm_') ? new URLSearchParams(request.query) : undefined;
    // old logs hold what visitors typed into URLs: scrubbed like every event entering the lake
    const utm = (name: UtmField): string | null => scrubPersonalData(query?.get(`utm_${name}`)?.slice(0, 200) ?? null);
    return this.targets.add(key, {
      kind: classifyRequest(request.path),
      path: scrubPersonalData(request.path.slice(0, 2048)),
      utm_source: utm('source'),
      utm_medium: utm('medium'),
      utm_campaign: utm('campaign'),
      utm_term: utm('term'),
      utm_content: utm('content'),
    });
  }

  private referrer(referrer: string | null): number | null {
    if (referrer === null) return null;
    return (this.referrers.get(referrer) ?? this.referrers.add(referrer, { host: referrerHost(referrer) })).i;
  }

  private zone(offsetMinutes: number | null): number {
    const key = offsetMinutes === null ? '' : String(offsetMinutes);
    return (this.zones.get(key) ?? this.zones.add(key, { zone: zoneOfOffset(offsetMinutes, this.timeZone) })).i;
  }

  private method(method: string): number {
    return (this.methods.get(method) ?? this.methods.add(method, { method })).i;
  }

  /** Stages one request; true when enough rows are buffered that `flush` should be awaited. */
  add(request: AccessLogRequest, lineNumber: number): boolean {
    const time = request.time;
    const visitor = this.visitor(request);
    let start = this.visitStart[visitor];
    const last = this.visitLast[visitor];
    if (start === undefined || last === undefined || Math.abs(time - last) > SESSION_GAP_MS) {
      start = time;
      this.visitStart[visitor] = time;
      this.visitLast[visitor] = time;
    } else if (time > last) {
      this.visitLast[visitor] = time;
    }
    const target = this.target(request);
    const isPage = target.kind === 'page' && (request.method === 'GET' || request.method === 'HEAD') && request.status < 400;
    if (request.userAgent === null) this.counts.withoutUserAgent += 1;
    this.counts.events += 1;
    if (isPage) this.counts.pageRequests += 1;
    if (target.kind === 'static') this.counts.staticRequests += 1;
    if (target.kind === 'health') this.counts.healthChecks += 1;
    if ((this.visitors.agents[visitor] as AgentRow).isBot) this.counts.bots += 1; // every visitor number has an agent
    if (this.first === null || time < this.first) this.first = time;
    if (this.last === null || time > this.last) this.last = time;
    const day = Math.floor(time / 86_400_000);
    this.dayNumbers.add(day);
    if (day < this.handedOff) this.lateDays.add(day);
    if (this.rowsSinceCut === 0) this.base = time;
    this.rowsSinceCut += 1;
    const rows = this.rows;
    rows.number(lineNumber);
    // offsets rather than epoch milliseconds: a chunk's times are hours apart, not decades, and a
    // visit's start is mostly the line's own time (offset 0), so both are a few digits to write
    // and to read back instead of 13 each
    rows.number(time - this.base);
    rows.number(time - start);
    rows.number(visitor);
    rows.number(target.i);
    rows.number(this.referrer(request.referrer));
    rows.number(this.zone(request.offsetMinutes));
    rows.number(this.method(request.method));
    rows.number(isPage ? 1 : 0);
    rows.number(request.status);
    rows.number(request.bytes);
    rows.number(request.durationMs);
    return rows.endRow();
  }

  async flush(): Promise<void> {
    if (!this.out.write(this.rows.take())) await new Promise<void>((resolve) => this.out.once('drain', () => resolve()));
  }

  /** Stops writing staged rows (after a failure; the files are removed with the work directory). */
  close(): void {
    this.out.destroy();
  }

  /** Ends the current file of staged rows and starts the next; the ended file's path and rows. */
  async cut(): Promise<StagedChunk> {
    const out = this.out;
    const ended = { file: this.chunk(this.chunks), rows: this.rowsSinceCut, base: this.base };
    out.end(this.rows.take());
    await new Promise<void>((resolve, reject) => out.once('finish', resolve).once('error', reject));
    this.chunks += 1;
    this.out = createWriteStream(this.chunk(this.chunks));
    this.rowsSinceCut = 0;
    return ended;
  }

  /** Ends the last file of staged rows. */
  async finish(): Promise<StagedChunk> {
    const out = this.out;
    out.end(this.rows.take());
    await new Promise<void>((resolve, reject) => out.once('finish', resolve).once('error', reject));
    return { file: this.chunk(this.chunks), rows: this.rowsSinceCut, base: this.base };
  }
}

/** A file of staged rows: how many, and the time their `t` column counts from (epoch ms). */
interface StagedChunk {
  file: string;
  rows: number;
  base: number;
}

/**
 * Columns of the staged line rows (all numbers; an empty field is NULL): `t` is milliseconds after
 * the chunk's base time, `since_start` how long after its visit's start the line came.
 */
const STAGED_COLUMNS = "{line: 'BIGINT', t: 'BIGINT', since_start: 'BIGINT', v: 'INTEGER', target: 'INTEGER', referrer: 'INTEGER', zone: 'INTEGER', method: 'INTEGER', is_page: 'BOOLEAN', status: 'INTEGER', bytes: 'BIGINT', duration: 'DOUBLE'}";

/** Lake columns of the staged rows joined to their dimension tables, in the lake's order and types. */
function eventsSelect(receivedAt: number, contentHash: string, base: number): string {
  const expressions: Record<ClickstreamColumn, string> = {
    // exactly as lineEventId: the file's prefix and the line number in 12 hex digits
    event_id: `${sqlLiteral(eventIdPrefix(contentHash))} || lpad(lower(to_hex(r.line)), 12, '0')`,
    event_type: `CASE WHEN r.is_page THEN 'page_view' ELSE 'access_log' END`,
    event_time: `epoch_ms(${base} + r.t)`,
    received_at: `epoch_ms(${receivedAt})`,
    visitor_id: 'v.visitor_id',
    // a visit's id: hash of the (already keyed) visitor id and the visit's first request time
    session_id: `left(translate(to_base64(unhex(md5(v.visitor_id || '|' || (${base} + r.t - r.since_start)::VARCHAR))), '+/', '-_'), 22)`,
    user_pseudonym: 'NULL',
    path: 'p.path',
    referrer_host: 'f.host',
    utm_source: 'p.utm_source',
    utm_medium: 'p.utm_medium',
    utm_campaign: 'p.utm_campaign',
    utm_term: 'p.utm_term',
    utm_content: 'p.utm_content',
    device: 'v.device',
    language: 'NULL',
    time_zone: 'z.zone',
    region: `'other'`,
    is_bot: 'v.is_bot',
    ip_prefix: 'v.ip_prefix',
    product_id: 'NULL',
    search_query: 'NULL',
    value_cents: 'NULL',
    currency: 'NULL',
    tier: sqlLiteral(IMPORTED_TIER),
    http_method: 'm.method',
    http_route: 'p.path',
    http_status: 'r.status',
    duration_ms: 'r.duration',
    bytes: 'r.bytes',
  };
  return Object.entries(CLICKSTREAM_COLUMNS)
    .map(([name, type]) => `CAST(${expressions[name as ClickstreamColumn]} AS ${type}) AS ${name}`) // keys of CLICKSTREAM_COLUMNS are the column names
    .join(', ');
}

function dayText(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

function detectFormat(firstLine: string): 'combined' | 'json' {
  return firstLine.trimStart().startsWith('{') ? 'json' : 'combined';
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function mapWithConcurrency<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T; // next < length was checked just above
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Puts days into the lake one after another, behind the caller's back: `add` queues a day and
 * returns at once; the first failure is kept (later days are skipped) and rethrown by
 * `throwIfFailed`, so a rejected put never goes unhandled while the caller keeps writing.
 */
export class DayUploads {
  private chain: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  constructor(private readonly upload: (day: string) => Promise<void>) {}

  add(day: string): void {
    this.chain = this.chain.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await this.upload(day);
      } catch (error) {
        this.failure = { error };
      }
    });
  }

  /** Waits for every queued day (or the first failure); never rejects. */
  settle(): Promise<void> {
    return this.chain;
  }

  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }
}

/** Connections writing days at once, each on one thread (a day's COPY: one small sort, 24 hour files). */
const DAY_WRITERS = 2;

/**
 * Runs one statement per day (`statement(day)`), on `DAY_WRITERS` connections of `db` at once,
 * and calls `written(day)` for the days in their order (a day finished early waits for the ones
 * before it, so the lake gets days in order, as from one writer). The first failure (of a
 * statement or of `written`) stops every writer from taking another day and is rethrown once all
 * have stopped: no statement is left running behind the caller.
 */
export async function writeDays(db: LakeDb, days: readonly string[], statement: (day: string) => string, written: (day: string) => void): Promise<void> {
  const writers: LakeDb[] = [db];
  const isDone = days.map(() => false);
  let next = 0;
  let nextWritten = 0;
  let failure: { error: unknown } | undefined;
  const work = async (writer: LakeDb): Promise<void> => {
    while (failure === undefined && next < days.length) {
      const index = next;
      next += 1;
      try {
        await writer.run(statement(days[index] as string)); // index < length was checked above
        isDone[index] = true;
        for (; isDone[nextWritten] === true && failure === undefined; nextWritten += 1) written(days[nextWritten] as string);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  // one thread per connection: a day's COPY is small, and with worker threads of its own each
  // statement's caller spent as much CPU polling for the workers' tasks as they spent writing
  const [threads] = await db.all<{ threads: bigint | number }>("SELECT current_setting('threads') AS threads");
  await db.run('SET threads = 1');
  try {
    for (let count = 1; count < Math.min(DAY_WRITERS, days.length); count += 1) writers.push(await db.connect());
    await Promise.all(writers.map(work));
  } finally {
    for (const writer of writers.slice(1)) writer.close();
    await db.run(`SET threads = ${Number(threads?.threads ?? 1)}`);
  }
  if (failure !== undefined) throw failure.error;
}

/** Rows parsed between two loads into DuckDB (each load then writes the days finished by then). */
const LOAD_EVERY_ROWS = 65_536;
/** A day is taken as finished when a line an hour past its end has been read. */
const SETTLED_AFTER_MS = 3600_000;

/** Tables the staged rows refer to by number (`i`), with their columns' types. */
const DIMENSIONS = {
  visitors: { i: 'INTEGER', visitor_id: 'VARCHAR', ip_prefix: 'VARCHAR', device: 'VARCHAR', is_bot: 'BOOLEAN' },
  targets: { i: 'INTEGER', kind: 'VARCHAR', path: 'VARCHAR', utm_source: 'VARCHAR', utm_medium: 'VARCHAR', utm_campaign: 'VARCHAR', utm_term: 'VARCHAR', utm_content: 'VARCHAR' },
  referrers: { i: 'INTEGER', host: 'VARCHAR' },
  zones: { i: 'INTEGER', zone: 'VARCHAR' },
  methods: { i: 'INTEGER', method: 'VARCHAR' },
} as const;

/** DuckDB's `columns = {…}` of a dimension's file. */
function dimensionColumns(name: keyof typeof DIMENSIONS): string {
  return `{${Object.entries(DIMENSIONS[name]).map(([column, type]) => `${column}: '${type}'`).join(', ')}}`;
}

type DimensionName = keyof typeof DIMENSIONS;

/** One hand-off to the loader: staged rows to load, then days to write (and days to write again). */
interface LoadStep {
  chunk: StagedChunk;
  /** days all of whose lines are in the rows loaded so far */
  days: string[];
  /** days written before that got lines afterwards (an out-of-order log): written again, whole */
  again: string[];
}

/**
 * Loads staged rows into DuckDB and writes finished days into the lake, behind the caller's
 * back: while the next lines are parsed (JavaScript, the main thread), DuckDB joins the rows
 * loaded so far to their dimensions and writes the days they finish (its own threads, and the
 * disk). Steps run one after another in the order given; the first failure is kept (later steps
 * are skipped) and rethrown by `throwIfFailed`, so nothing goes unhandled while parsing goes on.
 */
class LakeLoader {
  private db: LakeDb | undefined;
  /** the loads' own connection */
  private loader: LakeDb | undefined;
  private loading: Promise<void> = Promise.resolve();
  private writing: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;
  /** dimension rows (and visitors) already in DuckDB */
  private readonly loaded: Record<DimensionName, number> = { visitors: 0, targets: 0, referrers: 0, zones: 0, methods: 0 };
  private loads = 0;
  private readonly staging: string;
  private readonly hourDirs: string[];
  /** file names carry the content hash: a re-run after a crash overwrites, never adds */
  private readonly ownFiles: string;
  readonly uploads: DayUploads;
  /** seconds DuckDB spent loading and writing (much of it while lines were still being parsed) */
  readonly busy = { loadBusy: 0, parquetBusy: 0 };

  constructor(private readonly context: { work: string; stager: EventStager; storage: LakeStorage; receivedAt: number; contentHash: string }) {
    this.staging = path.join(context.work, 'parquet');
    this.ownFiles = `import-${context.contentHash.slice(0, 16)}-`;
    // one staging directory per hour of the day, made once and shared by every day's COPY
    // (days are told apart by file name): a directory per day and hour, made here and again
    // in the lake, cost this filesystem more than the small files in them
    this.hourDirs = Array.from({ length: 24 }, (_, hour) => path.join(this.staging, `hour=${String(hour).padStart(2, '0')}`));
    // each day's files are put into the lake while DuckDB writes the next day: the puts wait
    // on durable writes (disk), the COPYs on the CPU, so the two overlap instead of adding up
    this.uploads = new DayUploads(async (day) => {
      const prefix = `day-${day}-`;
      const staged = (await Promise.all(this.hourDirs.map(async (dir) => (await readdir(dir)).filter((name) => name.startsWith(prefix)).map((name) => ({ dir, name }))))).flat();
      // a day is 24 small hour files: several puts at once, so their durable writes overlap
      await mapWithConcurrency(staged, 8, async ({ dir, name }) => {
        // the lake's name for the file: the content hash's, as when written in place (`import-…-{i}`)
        await context.storage.put(path.join(dir, name), `raw/${CLICKSTREAM_DATASET}/dt=${day}/${path.basename(dir)}/${this.ownFiles}${name.slice(prefix.length)}`);
      });
    });
  }

  /**
   * Queues loading `step.chunk` then writing `step.days` (and `step.again`); returns at once.
   * The dimension rows and visitors the chunk refers to are taken now, before more are added.
   */
  enqueue(step: LoadStep): void {
    const { stager } = this.context;
    const upTo = { visitors: stager.visitors.size, targets: stager.targets.rows.length, referrers: stager.referrers.rows.length, zones: stager.zones.rows.length, methods: stager.methods.rows.length };
    const ids = stager.visitors.idsSoFar();
    // a failure is rethrown by the step below; until then it must not count as unhandled
    ids.catch(() => undefined);
    // loads run one after another on a connection of their own, while the writers write the
    // days of the load before (a load joins on the CPU, a day's COPY waits on file creation)
    const isLoaded = this.loading.then(async () => {
      if (this.failure !== undefined) return false;
      try {
        const loading = performance.now();
        if (step.chunk.rows > 0) await this.load(step.chunk, upTo, await ids);
        this.busy.loadBusy += (performance.now() - loading) / 1000;
        return true;
      } catch (error) {
        this.failure ??= { error };
        return false;
      }
    });
    this.loading = isLoaded.then(() => undefined);
    this.writing = this.writing.then(async () => {
      // the days' rows are all in once their load is done (and every load before it)
      if (!(await isLoaded) || this.failure !== undefined) return;
      try {
        const writing = performance.now();
        await this.write(step.days);
        if (step.again.length > 0) {
          // the earlier files of those days must be in the lake before theirs replace them
          await this.uploads.settle();
          await this.write(step.again);
        }
        this.busy.parquetBusy += (performance.now() - writing) / 1000;
      } catch (error) {
        this.failure ??= { error };
      }
    });
  }

  private opened: Promise<LakeDb> | undefined;

  /** The database, opened at the first use (the loads and the writers share it). */
  private open(): Promise<LakeDb> {
    this.opened ??= (async () => {
      const db = await openDuckDb({ threads: 2 });
      this.db = db;
      await db.run(`SET TimeZone = 'UTC'`);
      // no automatic checkpoints: since DuckDB 1.4 an in-memory database checkpoints its tables
      // every 16 MB of changes (the WAL threshold), and each checkpoint went over the whole
      // growing `imported` table, so every second load cost 0.6–1.1 s instead of 0.25 s (about 9 s of
      // CPU in all for 1M lines, against 4 s without). Checkpoints would only vacuum deleted rows
      // (compression of in-memory tables is off by default) and no rows are deleted here.
      await db.run(`SET checkpoint_threshold = '1TB'`);
      await mkdir(this.staging, { recursive: true });
      await Promise.all(this.hourDirs.map((dir) => mkdir(dir)));
      // tables of the database, not TEMP: the writers' connections read them too
      for (const [name, columns] of Object.entries(DIMENSIONS)) {
        await db.run(`CREATE TABLE ${name} (${Object.entries(columns).map(([column, type]) => `${column} ${type}`).join(', ')})`);
      }
      return db;
    })();
    return this.opened;
  }

  /** Adds new dimension rows and visitors (below `upTo`), then the chunk's rows joined to them. */
  private async load(chunk: StagedChunk, upTo: Record<DimensionName, number>, ids: readonly string[]): Promise<void> {
    this.loader ??= await (await this.open()).connect();
    const db = this.loader;
    const { stager, work } = this.context;
    const number = this.loads;
    this.loads += 1;
    const visitorsFile = path.join(work, `visitors-${number}.csv`);
    if (upTo.visitors > this.loaded.visitors) {
      await stager.visitors.write(visitorsFile, ids, this.loaded.visitors, upTo.visitors);
      await db.run(`INSERT INTO visitors SELECT * FROM read_csv(${sqlLiteral(visitorsFile)}, header = false, delim = ',', quote = '', escape = '', auto_detect = false, columns = ${dimensionColumns('visitors')})`);
      this.loaded.visitors = upTo.visitors;
    }
    for (const name of ['targets', 'referrers', 'zones', 'methods'] as const) {
      if (upTo[name] === this.loaded[name]) continue;
      const dimensionFile = path.join(work, `${name}-${number}.ndjson`);
      await stager[name].write(dimensionFile, this.loaded[name], upTo[name]);
      await db.run(`INSERT INTO ${name} SELECT * FROM read_json(${sqlLiteral(dimensionFile)}, format = 'newline_delimited', columns = ${dimensionColumns(name)})`);
      this.loaded[name] = upTo[name];
    }
    await db.run(
      `${number === 0 ? 'CREATE TABLE imported AS' : 'INSERT INTO imported'}
         SELECT ${eventsSelect(this.context.receivedAt, this.context.contentHash, chunk.base)}
           FROM read_csv(${sqlLiteral(chunk.file)}, header = false, delim = ',', quote = '', escape = '', auto_detect = false, columns = ${STAGED_COLUMNS}) r
           JOIN visitors v ON v.i = r.v
           JOIN targets p ON p.i = r.target
           LEFT JOIN referrers f ON f.i = r.referrer
           JOIN zones z ON z.i = r.zone
           JOIN methods m ON m.i = r.method`,
    );
    await Promise.all([rm(chunk.file), rm(visitorsFile, { force: true })]);
  }

  /** Writes days of the rows loaded into the lake's hour partitions (and queues their puts). */
  private async write(days: readonly string[]): Promise<void> {
    if (days.length === 0) return;
    const db = await this.open();
    const staging = this.staging;
    // one COPY per day (at most 24 hour partitions open): a single COPY over years of history
    // opens thousands of partition writers at once and runs DuckDB out of memory
    await writeDays(db, days, (day) =>
      // a time range, not dt = …: rows are loaded about in time order, so DuckDB skips other days' row groups
      // the hour partition is worked out here, for one day's rows, by the writers in parallel: whole
      // hours since the day's start (never negative), not strftime's '%H' (a time-zone-aware
      // formatting per row: about 0.25 s of CPU per 1M rows against 0.06)
      `COPY (SELECT *, lpad(((epoch_ms(event_time) - ${Date.parse(`${day}T00:00:00Z`)}) // 3600000)::VARCHAR, 2, '0') AS hour FROM imported
              WHERE event_time >= ${sqlLiteral(day)}::TIMESTAMPTZ AND event_time < ${sqlLiteral(day)}::TIMESTAMPTZ + INTERVAL 1 DAY ORDER BY event_time)
         TO ${sqlLiteral(staging)} (${PARQUET_OPTIONS}, PARTITION_BY (hour), FILENAME_PATTERN 'day-${day}-{i}', OVERWRITE_OR_IGNORE)`,
      (day) => {
        this.uploads.add(day);
        // a failed put stops the import here rather than after writing every other day
        this.uploads.throwIfFailed();
      },
    );
  }

  /** Waits for every step queued (or the first failure); never rejects. */
  async settleWrites(): Promise<void> {
    await this.loading;
    await this.writing;
  }

  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure.error;
    this.uploads.throwIfFailed();
  }

  /** Rebuilds the rollups of `days` from the rows loaded, plus whatever else those days hold (live traffic). */
  async rebuildRollups(days: readonly string[]): Promise<void> {
    const db = await this.open();
    const { ownFiles } = this;
    await rebuildDayRollupsFromTable(db, this.context.storage, this.context.work, { days, table: 'imported', isHeld: (key) => key.startsWith(`raw/${CLICKSTREAM_DATASET}/`) && path.posix.basename(key).startsWith(ownFiles) });
    await db.run('DROP TABLE imported');
  }

  /** Waits for the steps and puts queued, then closes DuckDB; never rejects. */
  async close(): Promise<void> {
    await this.settleWrites();
    await this.uploads.settle();
    this.loader?.close();
    this.loader = undefined;
    this.db?.close();
    this.db = undefined;
  }
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
  const receivedAt = Date.now();
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
  let stager: EventStager | undefined;
  let loader: LakeLoader | undefined;
  try {
    const totalBytes = (await stat(file)).size;
    const isCompressed = await isGzip(file);
    let bytes = 0;
    // no await between opening the stream and attaching the reader: a flowing stream would drop data
    const raw = createReadStream(file);
    const input: Readable = isCompressed ? raw.pipe(createGunzip()) : raw;
    const batches = lineBatches(input);
    raw.on('data', (chunk: Buffer | string) => (bytes += chunk.length));
    stager = new EventStager(options.pseudonymKey, options.timeZone, (number) => path.join(work, `lines-${number}.csv`));
    loader = new LakeLoader({ work, stager, storage: options.storage, receivedAt, contentHash });
    const loadEvery = options.loadEveryRows ?? LOAD_EVERY_ROWS;
    const showMalformed = options.showMalformed ?? 20;
    let lineNumber = 0;
    let malformed = 0;
    let truncated = 0;
    let isStarted = false;
    let format: 'combined' | 'json' | undefined = options.format && options.format !== 'auto' ? options.format : undefined;
    const fields = options.jsonFields ?? DEFAULT_JSON_FIELDS;
    const start = async (): Promise<void> => {
      if (isStarted) return;
      await startAccessLogImport(options.pool, { contentHash, fileName: path.basename(file), format: format ?? 'combined', importedBy: null });
      isStarted = true;
    };
    for await (const lines of batches) for (const line of lines) {
      lineNumber += 1;
      if ((lineNumber & 0x3fff) === 0) options.onProgress?.({ file, bytes, totalBytes, lines: lineNumber });
      if (line.length === 0 || line.trim() === '') continue;
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
      if (stager.add(parsed.request, lineNumber)) await stager.flush();
      if (stager.rowsSinceCut >= loadEvery) {
        // days ending an hour before the latest line are done (logs are nearly in time order):
        // they are loaded and written to the lake behind the parsing of the next lines
        const doneBefore = Math.floor(((stager.last ?? 0) - SETTLED_AFTER_MS) / 86_400_000);
        if (doneBefore > stager.handedOff) {
          loader.throwIfFailed();
          await start();
          const chunk = await stager.cut();
          const days = stager.daysIn(stager.handedOff, doneBefore);
          stager.handedOff = doneBefore;
          loader.enqueue({ chunk, days, again: [] });
        }
      }
    }
    const lastChunk = await stager.finish();
    options.onProgress?.({ file, bytes: totalBytes, totalBytes, lines: lineNumber });
    const detected = format ?? 'combined';
    clock.lap('parse');

    await start();
    if (stager.counts.events > 0) {
      // the rest, and the days written before lines of theirs came (out of order) written again
      loader.enqueue({ chunk: lastChunk, days: stager.daysIn(stager.handedOff, Number.POSITIVE_INFINITY), again: [...stager.lateDays].sort((a, b) => a - b).map(dayText) });
      await loader.settleWrites();
      loader.throwIfFailed();
      clock.lap('parquet');
      await loader.uploads.settle();
      loader.uploads.throwIfFailed();
      clock.lap('upload');
      // rollups from the rows still in DuckDB, plus whatever else those days hold (live traffic)
      await loader.rebuildRollups(stager.days);
      clock.lap('rollups');
      // busy seconds overlap the stages above (most of them ran while lines were being parsed)
      for (const [stage, seconds] of Object.entries(loader.busy)) clock.stages[stage] = Math.round(seconds * 1000) / 1000;
    }
    await finishAccessLogImport(options.pool, {
      contentHash,
      lines: lineNumber,
      events: stager.counts.events,
      pageRequests: stager.counts.pageRequests,
      malformed,
      firstEventAt: stager.first === null ? null : new Date(stager.first),
      lastEventAt: stager.last === null ? null : new Date(stager.last),
    });
    clock.lap('record');
    const seconds = (performance.now() - started) / 1000;
    return {
      ...base,
      status: 'imported',
      format: detected,
      lines: lineNumber,
      ...stager.counts,
      truncated,
      malformed,
      firstEventAt: stager.first === null ? null : new Date(stager.first).toISOString(),
      lastEventAt: stager.last === null ? null : new Date(stager.last).toISOString(),
      days: stager.days,
      seconds,
      linesPerSecond: Math.round(lineNumber / Math.max(seconds, 0.001)),
      stages: clock.stages,
    };
  } finally {
    // nothing left running behind the caller (the work directory is removed next)
    await loader?.close();
    stager?.close();
    await stager?.visitors.close();
    await rm(work, { recursive: true, force: true });
  }
}
