/**
 * `npm run bench -- soak`: memory under a steady mixed load, the whole system as `npm start` runs it.
 *
 * A fresh data directory and free ports; `threadline start` seeds the demo shop and starts every
 * process (embedded PostgreSQL, API, web tier, worker, and Prometheus/Alertmanager when installed),
 * with the WAF on and only the per-IP limits lifted (every simulated visitor shares 127.0.0.1).
 * Then, for SOAK_MINUTES (default 60), virtual visitors browse (product list and pages), buy
 * (cart → order → pay as signed-in customers, of products the demo seller posts at the start with
 * SOAK_STOCK units per size, default 100,000, so buying lasts the run; `load-buy.paidPerMinute`) and send clickstream batches at about SOAK_RPS
 * requests/s (default 120), while the resident memory of every process is sampled every
 * SOAK_SAMPLE_S seconds (default 30; PostgreSQL as the proportional share summed over its processes).
 *
 * Reported per process: RSS at the start of the load, the maximum, the end, and the slope over the
 * second half (MB/min); per minute: requests, errors and p99. Every API replica (`api-1`, `api-2`)
 * and both workers (`worker` and its standby `worker-2`) are reported apart, and `worker-leader` is
 * the one holding the leadership lock at each sample (the one doing the work; either can win it).
 * Each node process is also reported as `rss-<name>-peak`: its highest RSS between two samples
 * (VmHWM, reset after each read), so a job that runs between samples is not missed — with only
 * the instantaneous RSS, whether a sample caught a minute's flush depended on the flush's phase.
 * The worker "levels off" (bench/lib/levels-off.ts; `load.workerLevelsOff`) when, over the second
 * half cut into 5-minute windows, both the slope of the leader's per-window minima of RSS (the
 * floor between jobs, which a leak raises) and that of its per-window maxima of the peak series
 * (the peaks, which a job with a growing working set raises) are under 0.5 MB/min, and neither
 * worker's peak reaches SOAK_WORKER_BOUND_MB (512). (Until 7 Dec 2026 14:00 UTC the peaks were the
 * maxima of the 30-s samples; until 21:00 UTC the slopes were least squares, which one hourly
 * job's spike tilts — they are Theil–Sen slopes now, and the least-squares ones are reported as
 * `floorLeastSquaresSlopeMbPerMin` / `peakLeastSquaresSlopeMbPerMin`.)
 * The former criterion — one least-squares slope through every second-half sample — is still
 * reported (`secondHalfSlopeMbPerMin`): over a sawtooth sampled every 30 s it is decided by where
 * the spikes happen to fall. Fewer than three windows (a run under about 30 minutes) give no
 * verdict; `SOAK_WINDOW_MIN` sets the window for short diagnostic runs.
 * The leader's and each API replica's memory is also split into its parts (`mem-worker-leader-*`,
 * `mem-api-1-*`…: V8 heap, external, DuckDB, anonymous and file-backed pages, and the anonymous
 * rest nothing else counts; memoryParts), judged by the same windows, to tell which part a rising
 * floor is in. They are reported, not goals.
 * PostgreSQL's summed proportional share is split the same way into what it can be made of
 * (`mem-postgres-shared-buffers-used`: shared buffers holding a page, from pg_buffercache, which the
 * soak installs in its throwaway database; `mem-postgres-database-size`: the database on disk), to
 * tell buffers being filled for the first time as the tables grow from backends' own memory growing.
 * The nightly jobs run inside the soak at a fixed minute: the pipeline's cron (THREADLINE_PIPELINE_CRON)
 * and the daily backup (THREADLINE_BACKUP_AT) are set to the shop-zone wall clock about
 * SOAK_NIGHTLY_AFTER_MIN minutes (default 10) after the launch, so every run holds them in its first
 * half, the second half judges whether their memory comes back, and a run never catches them at
 * whatever minute 02:00 in the shop's time zone happens to fall (`off` keeps the shop's schedule).
 * `nightly` reports the load minute at which the scheduled pipeline run and the backup started.
 * SOAK_LOG=<file> keeps the system's own log lines (every process's JSON logs, stdout of
 * `threadline start`) in that file; without it they are dropped.
 * Quick check: `SOAK_MINUTES=2 SOAK_SAMPLE_S=10 npm run bench -- soak --runs 1`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadConfig, loadOrCreateSecrets } from '@threadline/config';
import { connectClient, resolveDatabaseUrl } from '@threadline/db';
import { freePort } from '@threadline/db/testing';
import { DEMO_EMAILS, DEMO_PASSWORD } from '@threadline/demo';

import { quantile } from './lib/http-load.js';
import { LEVEL_SLOPE_MB_PER_MIN, levelsOff, slope } from './lib/levels-off.js';
import { nightlySchedule } from './lib/nightly-schedule.js';
import { writeBenchResult, type BenchFigures } from './lib/results.js';
import { closeShopperConnections, Shopper } from './lib/shopper.js';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 60);
const SAMPLE_S = Number(process.env.SOAK_SAMPLE_S ?? 30);
const RPS = Number(process.env.SOAK_RPS ?? 120);
const WORKER_BOUND_MB = Number(process.env.SOAK_WORKER_BOUND_MB ?? 512);
const WINDOW_MIN = Number(process.env.SOAK_WINDOW_MIN ?? 5);
const NIGHTLY_AFTER_MIN = process.env.SOAK_NIGHTLY_AFTER_MIN ?? '10';
const LOG_FILE = process.env.SOAK_LOG;
/** Products the demo seller posts for the buyers, four sizes of SOAK_STOCK units each. */
const SOAK_PRODUCTS = 8;
const SOAK_STOCK = Number(process.env.SOAK_STOCK ?? 100_000);
const CLI_BIN = fileURLToPath(new URL('../packages/cli/bin/threadline.mjs', import.meta.url));
const log = (line: string): void => console.error(`[soak] ${line}`);
/** What browsing shoppers ask the product list for: first pages, sorts, a size, a price band, a search. */
const LIST_QUERIES = ['limit=24', 'sort=newest', 'sort=price_asc&limit=48', 'size=M', 'maxPrice=5000', 'q=linen', 'sort=popular'];

/** Reads number fields (kB) from a /proc status-like file, read once; 0 for each when the process is gone. */
function procKbs<Field extends string>(file: string, fields: readonly Field[]): Record<Field, number> {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // gone: every field reads 0
  }
  const values = {} as Record<Field, number>;
  for (const field of fields) values[field] = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return values;
}

/** Reads a number field (kB) from a /proc status-like file; 0 when the process is gone. */
function procKb(file: string, field: string): number {
  return procKbs(file, [field])[field] ?? 0;
}

/** Every descendant of `root`, with its command line. */
function descendants(root: number): { pid: number; cmdline: string }[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // the command may contain spaces and parentheses: the parent pid is the 2nd field after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // exited while listing
    }
  }
  const found: { pid: number; cmdline: string }[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift() as number; // length checked
    for (const [pid, ppid] of parents) {
      if (ppid !== parent) continue;
      queue.push(pid);
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      } catch {
        continue;
      }
      found.push({ pid, cmdline });
    }
  }
  return found;
}

/** The environment a process was started with (empty when it is gone). */
function environOf(pid: number): Record<string, string> {
  try {
    const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter((entry) => entry.includes('='));
    return Object.fromEntries(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
  } catch {
    return {};
  }
}

/**
 * The process's name in the system, as the launcher names it (packages/cli/src/launcher/services.ts):
 * each API replica apart (`api-1`, `api-2`… in port order, from THREADLINE_API_PORT), and the two
 * workers apart — `worker` and its standby `worker-2`, which has its own THREADLINE_WORKER_PORT.
 * Each is reported on its own, so a bound applies to one process, not to a sum.
 */
function roleOf(pid: number, cmdline: string, apiPorts: readonly number[]): string | undefined {
  if (/\bpostgres\b/.test(cmdline) && !cmdline.includes('threadline.mjs')) return 'postgres';
  if (/prometheus(?!-alertmanager)/.test(cmdline) && !cmdline.includes('alertmanager')) return 'prometheus';
  if (cmdline.includes('alertmanager')) return 'alertmanager';
  const tier = /threadline\.mjs (api|web|worker|db)\b/.exec(cmdline)?.[1];
  if (tier === 'api') {
    const index = apiPorts.indexOf(loadConfig(environOf(pid)).apiPort);
    return index >= 0 ? `api-${index + 1}` : 'api';
  }
  if (tier === 'worker') return 'THREADLINE_WORKER_PORT' in environOf(pid) ? 'worker-2' : 'worker';
  return tier;
}

/** The ports of the API replicas under `root`, in the launcher's order (api-1 first). */
function apiReplicaPorts(root: number): number[] {
  const ports = descendants(root)
    .filter(({ cmdline }) => /threadline\.mjs api\b/.test(cmdline))
    .map(({ pid }) => loadConfig(environOf(pid)).apiPort);
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** Each API replica under `root` with its name (`api-1`…, roleOf) and port, for memoryParts. */
function apiReplicas(root: number, apiPorts: readonly number[]): { role: string; pid: number; port: number }[] {
  return descendants(root).flatMap(({ pid, cmdline }) => {
    if (!/threadline\.mjs api\b/.test(cmdline)) return [];
    const role = roleOf(pid, cmdline, apiPorts);
    return role === undefined ? [] : [{ role, pid, port: loadConfig(environOf(pid)).apiPort }];
  });
}

/**
 * Which worker holds the leadership lock and runs the jobs (flushes, compaction, the pipeline):
 * its /healthz says `role: leader`. Either one can win the lock at start, and the standby takes
 * over when the leader dies, so the bound is judged on whichever is leading at each sample.
 */
async function leadingWorker(root: number): Promise<{ role: string; pid: number; port: number } | undefined> {
  for (const { pid, cmdline } of descendants(root)) {
    if (!/threadline\.mjs worker\b/.test(cmdline)) continue;
    const port = loadConfig(environOf(pid)).workerPort;
    const health = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) })
      .then(async (response) => (await response.json()) as { role?: string }, () => undefined); // the worker's /healthz answers { status, role }
    if (health?.role !== 'leader') continue;
    const role = roleOf(pid, cmdline, []);
    if (role !== undefined) return { role, pid, port };
  }
  return undefined;
}

/** Sum (MB) of every series of a metric in a Prometheus text exposition; undefined when absent. */
function metricMb(exposition: string, name: string): number | undefined {
  let total: number | undefined;
  for (const match of exposition.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm'))) total = (total ?? 0) + Number(match[1]) / 1024 / 1024;
  return total;
}

/**
 * Where a Node process's memory is (MB), to tell a JavaScript leak from native growth: the V8
 * heap (used and committed) and `external` (ArrayBuffers and other memory V8 objects hold) from its
 * /metrics (prom-client's defaults), DuckDB's buffer manager (`threadline_duckdb_memory_bytes`,
 * every open database; the workers'), and from /proc/<pid>/smaps_rollup the anonymous pages (heap,
 * malloc, DuckDB) against the file-backed ones (code and mapped libraries). The rest of the
 * anonymous pages (`anonymous − heap committed − duckdb − external`) is malloc'd memory nothing
 * above counts: native libraries' own allocations and the allocator's retained free space.
 * `external` counts what is allocated whether touched or not (the spool source's 64 MB read buffer
 * is mostly never touched), so the rest can read below 0 while few of those pages are resident.
 * Keys are `<label>:<part>` (the leading worker's under `worker-leader`, each API replica's under
 * its name).
 */
async function memoryParts(label: string, node: { pid: number; port: number }): Promise<Record<string, number>> {
  const exposition = await fetch(`http://127.0.0.1:${node.port}/metrics`, { signal: AbortSignal.timeout(5_000) }).then(
    async (response) => (response.ok ? response.text() : ''),
    () => '',
  );
  const rollup = procKbs(`/proc/${node.pid}/smaps_rollup`, ['Rss', 'Anonymous']);
  const rss = rollup.Rss / 1024;
  const anonymous = rollup.Anonymous / 1024;
  const parts: Record<string, number | undefined> = {
    'v8-heap-used': metricMb(exposition, 'nodejs_heap_size_used_bytes'),
    'v8-heap-committed': metricMb(exposition, 'nodejs_heap_size_total_bytes'),
    external: metricMb(exposition, 'nodejs_external_memory_bytes'),
    duckdb: metricMb(exposition, 'threadline_duckdb_memory_bytes'),
    anonymous: rss > 0 ? anonymous : undefined,
    'file-backed': rss > 0 ? rss - anonymous : undefined,
  };
  const counted = (parts['v8-heap-committed'] ?? 0) + (parts.duckdb ?? 0) + (parts.external ?? 0);
  if (parts.anonymous !== undefined && parts['v8-heap-committed'] !== undefined) parts['native-other'] = parts.anonymous - counted;
  return Object.fromEntries(Object.entries(parts).flatMap(([part, mb]) => (mb === undefined ? [] : [[`${label}:${part}`, Number(mb.toFixed(1))]])));
}

/**
 * `postgres:shared-buffers-used` (MB of shared buffers holding a page) and `postgres:database-size`
 * (MB on disk); {} when the query fails (the sample then just lacks them).
 */
async function postgresParts(db: { query: (text: string) => Promise<{ rows: { used: string; size: string }[] }> }): Promise<Record<string, number>> {
  try {
    const { rows } = await db.query(
      `SELECT (SELECT count(*) FROM pg_buffercache WHERE relfilenode IS NOT NULL) * current_setting('block_size')::bigint AS used,
              pg_database_size(current_database()) AS size`,
    );
    const row = rows[0];
    if (!row) return {};
    const mb = (bytes: string): number => Number((Number(bytes) / 1024 / 1024).toFixed(1));
    return { 'postgres:shared-buffers-used': mb(row.used), 'postgres:database-size': mb(row.size) };
  } catch (error) {
    log(`PostgreSQL's parts not read: ${String(error)}`);
    return {};
  }
}

/**
 * MB per process name: RSS for node processes, proportional share summed for PostgreSQL's processes.
 * For node processes also `<name>-peak`: the highest RSS since the previous sample (VmHWM, reset
 * after each read through /proc/<pid>/clear_refs), so a job that starts and ends between two samples
 * still counts — a sampler every 30 s sees a minute's flush or not depending on its phase.
 */
function sampleMemory(root: number, apiPorts: readonly number[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const { pid, cmdline } of descendants(root)) {
    const role = roleOf(pid, cmdline, apiPorts);
    if (!role) continue;
    if (role === 'postgres') {
      totals[role] = (totals[role] ?? 0) + procKb(`/proc/${pid}/smaps_rollup`, 'Pss') / 1024;
      continue;
    }
    const { VmRSS, VmHWM } = procKbs(`/proc/${pid}/status`, ['VmRSS', 'VmHWM']);
    totals[role] = (totals[role] ?? 0) + VmRSS / 1024;
    totals[`${role}-peak`] = (totals[`${role}-peak`] ?? 0) + VmHWM / 1024;
    try {
      // 5: reset the peak resident set size to the current one (Linux 4.0+)
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
    } catch {
      // gone, or not ours to reset: the next peak spans more than one interval
    }
  }
  return Object.fromEntries(Object.entries(totals).map(([role, mb]) => [role, Number(mb.toFixed(1))]));
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`threadline start exited with ${child.exitCode}`);
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`);
}

function collectBody(visitor: number): string {
  const now = Date.now();
  const events = Array.from({ length: 20 }, (_, i) => ({
    id: randomUUID(),
    type: i % 4 === 0 ? 'product_view' : 'page_view',
    ts: now - i * 500,
    visitorId: `soak_visitor_${visitor}`,
    sessionId: `soak_session_${visitor}_${Math.floor(now / 600_000)}`,
    path: `/products/${(visitor * 7 + i) % 300}`,
    device: visitor % 2 === 0 ? 'mobile' : 'desktop',
    language: 'en-US',
    timeZone: 'America/New_York',
  }));
  return JSON.stringify({ events });
}

/** Runs the CLI with the system's environment and parses its `--format json` output; [] when it fails. */
function cliRows(env: Record<string, string>, args: string[]): Record<string, unknown>[] {
  const result = spawnSync(process.execPath, [CLI_BIN, ...args, '--format', 'json'], { env, encoding: 'utf8', timeout: 60_000 });
  try {
    const rows: unknown = JSON.parse(result.stdout);
    return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
  } catch {
    log(`\`threadline ${args.join(' ')}\` gave no JSON: ${result.stderr.slice(0, 300)}`);
    return [];
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'threadline-soak-'));
  // mkdtemp makes the folder private; PostgreSQL runs as its own user (when started as root) and must enter it
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  const generous = '1000000000';
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>), // the environment is string-valued on every platform node runs on
    THREADLINE_DATA_DIR: dataDir,
    PORT: String(port),
    THREADLINE_PG_PORT: String(await freePort()),
    THREADLINE_PROMETHEUS_PORT: String(await freePort()),
    THREADLINE_ALERTMANAGER_PORT: String(await freePort()),
    THREADLINE_RATE_LIMIT_PER_MIN: generous,
    THREADLINE_RATE_LIMIT_ACCOUNT_PER_MIN: generous,
    THREADLINE_RATE_LIMIT_LOGIN_PER_MIN: generous,
    THREADLINE_RATE_LIMIT_LOGIN_ACCOUNT_PER_MIN: generous,
    THREADLINE_RATE_LIMIT_COLLECT_PER_MIN: generous,
    THREADLINE_RATE_LIMIT_SIGNUP_PER_HOUR: generous,
    THREADLINE_COLLECT_RATE: generous,
  };
  const started = Date.now();
  const nightly = NIGHTLY_AFTER_MIN === 'off' ? undefined : nightlySchedule(started, Number(NIGHTLY_AFTER_MIN), loadConfig(env).shopTimeZone);
  if (nightly) {
    env.THREADLINE_PIPELINE_CRON = nightly.cron;
    env.THREADLINE_BACKUP_AT = nightly.at;
    log(`nightly pipeline and backup at ${new Date(nightly.moment).toISOString()} (${nightly.at} shop time)`);
  }
  const systemLog = LOG_FILE === undefined ? 'ignore' : openSync(LOG_FILE, 'a');
  const launcher = spawn(process.execPath, [CLI_BIN, 'start'], { env, stdio: ['ignore', systemLog, 'inherit'], detached: true });
  if (typeof systemLog === 'number') closeSync(systemLog);
  const baseUrl = `http://127.0.0.1:${port}`;
  const stopLauncher = (): void => {
    try {
      if (launcher.pid) process.kill(-launcher.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  /** True while any process of the launcher's group is alive. */
  const isGroupAlive = (): boolean => {
    try {
      if (launcher.pid) process.kill(-launcher.pid, 0);
      return launcher.pid !== undefined;
    } catch {
      return false;
    }
  };
  process.on('exit', stopLauncher);
  /** Reads PostgreSQL's parts for each sample (postgresParts); opened once the system is up. */
  let db: Awaited<ReturnType<typeof connectClient>> | undefined;
  try {
    await waitReady(baseUrl, launcher);
    log(`system ready in ${((Date.now() - started) / 1000).toFixed(1)} s on ${baseUrl}`);
    const root = launcher.pid as number; // spawned successfully: waitReady saw it answer

    const products = (await (await fetch(`${baseUrl}/api/products?limit=48`)).json()) as { items?: { id: number }[] };
    const productIds = (products.items ?? []).map((item) => item.id);
    if (productIds.length === 0) throw new Error('the demo shop lists no products');
    // what shoppers buy: products the demo seller posts with stock for the whole run (the demo
    // catalogue's own stock ran out about 40 minutes into a run, and every later buy then stopped
    // at a sold-out product page)
    const seller = new Shopper(baseUrl, DEMO_EMAILS.seller);
    await seller.signIn(DEMO_PASSWORD);
    const stockedIds: number[] = [];
    for (let i = 1; i <= SOAK_PRODUCTS; i += 1) {
      const posted = await seller.request('POST', '/api/seller/products', {
        name: `Soak tee ${i}`,
        category: 't-shirts',
        status: 'published',
        variants: ['S', 'M', 'L', 'XL'].map((size) => ({ size, colour: 'Black', price: 2_500 + i * 100, stock: SOAK_STOCK })),
      });
      const id = (posted.body as { id?: unknown }).id;
      if (posted.status !== 201 || typeof id !== 'number') throw new Error(`the demo seller could not post a product: ${posted.status} ${JSON.stringify(posted.body).slice(0, 200)}`);
      stockedIds.push(id);
    }
    const shoppers: Shopper[] = [];
    for (let i = 1; i <= 8; i += 1) {
      // own accounts: a signed-in cart belongs to the account, so shoppers must not share one
      const shopper = new Shopper(baseUrl, `soak-${i}-${randomUUID().slice(0, 8)}@example.test`);
      await shopper.signUp(`Soak Shopper ${i}`, 'soak-password-long-enough').then(() => shoppers.push(shopper), (error: unknown) => log(`sign-up skipped: ${String(error)}`));
    }

    // "ready" means the shop answers; the workers start right after it: the load starts once one leads
    for (const deadline = Date.now() + 120_000; !(await leadingWorker(root)) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 1_000));
    const apiPorts = apiReplicaPorts(root);
    const systemConfig = loadConfig(env);
    db = await connectClient({ connectionString: resolveDatabaseUrl(systemConfig, loadOrCreateSecrets(systemConfig.dataDir, env).pgPassword) });
    const sampleDb = db;
    await sampleDb.query('CREATE EXTENSION IF NOT EXISTS pg_buffercache').catch((error: unknown) => log(`pg_buffercache not installed: ${String(error)}`));
    /**
     * One sample: every process's memory, the leading worker's under `worker-leader`, and the parts
     * (memoryParts) of the leader under `worker-leader:<part>` and of each API replica under `api-N:<part>`.
     */
    const sample = async (minute: number): Promise<{ minute: number; memory: Record<string, number>; leader: string }> => {
      const memory = sampleMemory(root, apiPorts);
      const replicas = await Promise.all(apiReplicas(root, apiPorts).map(async ({ role, ...node }) => memoryParts(role, node)));
      const leading = await leadingWorker(root);
      const leaderMb = leading === undefined ? undefined : memory[leading.role];
      const withReplicas = Object.assign(memory, ...replicas, await postgresParts(sampleDb)) as Record<string, number>;
      if (leading === undefined || leaderMb === undefined) return { minute, memory: withReplicas, leader: leading?.role ?? 'none' };
      const leaderPeak = memory[`${leading.role}-peak`];
      return {
        minute,
        memory: { ...withReplicas, 'worker-leader': leaderMb, ...(leaderPeak === undefined ? {} : { 'worker-leader-peak': leaderPeak }), ...(await memoryParts('worker-leader', leading)) },
        leader: leading.role,
      };
    };
    const samples: { minute: number; memory: Record<string, number>; leader: string }[] = [];
    /** Per load minute: requests, errors, latencies, and paid orders (of the buy leg). */
    type MinuteBucket = { requests: number; errors: number; latencies: number[]; paid: number };
    const perMinute = new Map<number, MinuteBucket>();
    const perKind = new Map<string, { requests: number; errors: number; firstError?: string }>();
    const loadStart = Date.now();
    const loadEnd = loadStart + MINUTES * 60_000;
    samples.push(await sample(0));
    const sampler = setInterval(() => void sample((Date.now() - loadStart) / 60_000).then((taken) => samples.push(taken)), SAMPLE_S * 1000);

    const currentMinute = (): MinuteBucket => {
      const minute = Math.floor((Date.now() - loadStart) / 60_000);
      const bucket = perMinute.get(minute) ?? { requests: 0, errors: 0, latencies: [], paid: 0 };
      perMinute.set(minute, bucket);
      return bucket;
    };
    const record = (kind: string, ms: number, failure: string | undefined): void => {
      const isError = failure !== undefined;
      const counts = perKind.get(kind) ?? { requests: 0, errors: 0 };
      counts.requests += 1;
      if (isError) {
        counts.errors += 1;
        counts.firstError ??= failure;
      }
      perKind.set(kind, counts);
      const bucket = currentMinute();
      bucket.requests += 1;
      if (isError) bucket.errors += 1;
      bucket.latencies.push(ms);
    };
    /** Runs one visitor action; `work` answers undefined on success, else what went wrong. */
    const timed = async (kind: string, work: () => Promise<string | undefined>): Promise<void> => {
      const at = performance.now();
      const failure = await work().catch((error: unknown) => String(error));
      record(kind, performance.now() - at, failure);
    };
    const expect = async (response: Response, status: number): Promise<string | undefined> =>
      response.status === status ? (await response.arrayBuffer(), undefined) : `${response.status} ${(await response.text()).slice(0, 200)}`;
    let tick = 0;
    const inFlight = new Set<Promise<void>>();
    while (Date.now() < loadEnd) {
      tick += 1;
      const kind = tick % 20;
      const visitor = tick % 5000;
      const job =
        kind === 0 && shoppers.length > 0
          ? timed('buy', async () => {
              const shopper = shoppers[tick % shoppers.length] as Shopper; // non-empty, checked above
              const product = (await shopper.request('GET', `/api/products/${stockedIds[tick % stockedIds.length]}`)).body as { variants?: { id: number; stock: number }[] };
              const inStock = product.variants?.filter((candidate) => candidate.stock > 0) ?? [];
              const variant = inStock[tick % Math.max(1, inStock.length)];
              if (!variant) return 'the stocked product is sold out (raise SOAK_STOCK)';
              const { outcome, payMs } = await shopper.checkout(variant.id);
              if (outcome === 'paid') currentMinute().paid += 1;
              // the shop working: a cart another checkout of the same shopper just emptied, or (at the
              // pay step only) an order that shopper's newer checkout replaced — placing an order
              // cancels the same cart's unpaid one, which can then not be paid
              // (apps/api/src/orders/checkout-same-shopper.test.ts); OUT_OF_STOCK is an error, as above
              const isReplaced = outcome === 'INVALID_STATE_TRANSITION' && payMs > 0;
              return outcome === 'paid' || outcome === 'CART_EMPTY' || isReplaced ? undefined : outcome;
            })
          : kind < 8
            ? timed('list', async () => expect(await fetch(`${baseUrl}/api/products?${LIST_QUERIES[tick % LIST_QUERIES.length]}`), 200))
            : kind < 14
              ? timed('product', async () => expect(await fetch(`${baseUrl}/api/products/${productIds[tick % productIds.length]}`), 200))
              : timed('collect', async () => expect(await fetch(`${baseUrl}/collect`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: collectBody(visitor) }), 202));
      inFlight.add(job);
      void job.finally(() => inFlight.delete(job));
      if (inFlight.size > 64) await Promise.race(inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1000 / RPS));
    }
    await Promise.all(inFlight);
    clearInterval(sampler);
    samples.push(await sample((Date.now() - loadStart) / 60_000));
    samples.sort((a, b) => a.minute - b.minute);

    const roles = [...new Set(samples.flatMap((sample) => Object.keys(sample.memory)))].sort();
    const half = MINUTES / 2;
    const results: BenchFigures[] = roles.map((role) => {
      const series = samples.map((sample) => [Number(sample.minute.toFixed(2)), sample.memory[role] ?? 0] as [number, number]);
      const values = series.map(([, mb]) => mb);
      const secondHalf = series.filter(([minute]) => minute >= half);
      const verdict = levelsOff(series, { boundMb: WORKER_BOUND_MB, windowMinutes: WINDOW_MIN, fromMinute: half });
      return {
        // `<process>:<part>`: where that process's memory is (memoryParts), judged as RSS is
        name: role.includes(':') ? `mem-${role.replace(':', '-')}` : `rss-${role}`,
        startMb: values[0] ?? 0,
        maxMb: Math.max(...values),
        endMb: values.at(-1) ?? 0,
        secondHalfSlopeMbPerMin: Number(slope(secondHalf).toFixed(3)),
        floorSlopeMbPerMin: verdict.floorSlopeMbPerMin,
        peakSlopeMbPerMin: verdict.peakSlopeMbPerMin,
        floorLeastSquaresSlopeMbPerMin: verdict.floorLeastSquaresSlopeMbPerMin,
        peakLeastSquaresSlopeMbPerMin: verdict.peakLeastSquaresSlopeMbPerMin,
        levelsOff: verdict.levelsOff,
        ...(verdict.reasons.length > 0 ? { notLevelOffBecause: verdict.reasons.join('; ') } : {}),
        series: series.map(([minute, mb]) => `${minute}:${mb}`).join(' '),
      };
    });
    const minutes = [...perMinute.entries()].sort(([a], [b]) => a - b);
    const requests = minutes.reduce((sum, [, bucket]) => sum + bucket.requests, 0);
    const errors = minutes.reduce((sum, [, bucket]) => sum + bucket.errors, 0);
    // the worker doing the work (flush, compaction, pipeline) must level off below the bound; both
    // processes must stay below it (a standby that grows would be a leak of its own)
    const leader = results.find((figures) => figures.name === 'rss-worker-leader');
    // the leader's peaks between samples (VmHWM): its per-window maxima are the true peaks
    const leaderPeak = results.find((figures) => figures.name === 'rss-worker-leader-peak');
    const workers = results.filter((figures) => figures.name === 'rss-worker-peak' || figures.name === 'rss-worker-2-peak');
    const leaders = [...new Set(samples.map((taken) => taken.leader))];
    results.push({
      name: 'load',
      minutes: MINUTES,
      requests,
      errors,
      p99MsPerMinute: minutes.map(([, bucket]) => Number(quantile([...bucket.latencies].sort((a, b) => a - b), 0.99).toFixed(1))).join(' '),
      workerLevelsOff:
        leader !== undefined &&
        Number(leader.floorSlopeMbPerMin) < LEVEL_SLOPE_MB_PER_MIN &&
        leaderPeak !== undefined &&
        Number(leaderPeak.peakSlopeMbPerMin) < LEVEL_SLOPE_MB_PER_MIN &&
        workers.length > 0 &&
        workers.every((worker) => Number(worker.maxMb) < WORKER_BOUND_MB),
      workerBoundMb: WORKER_BOUND_MB,
      workerWindowMinutes: WINDOW_MIN,
      // which worker led over the run (`worker-2`, `worker` when the lock changed hands)
      leadingWorker: leaders.join(' then '),
    });
    for (const [kind, counts] of perKind) {
      // a buy is a product page and, when in stock, cart → order → pay: how many paid, minute by minute
      const paid = kind === 'buy' ? { paid: minutes.reduce((sum, [, bucket]) => sum + bucket.paid, 0), paidPerMinute: minutes.map(([, bucket]) => bucket.paid).join(' ') } : {};
      results.push({ name: `load-${kind}`, ...counts, ...paid });
    }
    // where the nightly jobs fell in this run, from the system's own records
    const loadMinute = (atMs: number): number => Number(((atMs - loadStart) / 60_000).toFixed(1));
    const startedAt = (row: Record<string, unknown>): number => Date.parse(String(row.started));
    const scheduledRuns = cliRows(env, ['pipeline', 'history']).filter((run) => run.trigger === 'schedule');
    const backups = cliRows(env, ['backup', 'list']).filter((set) => startedAt(set) >= loadStart);
    results.push({
      name: 'nightly',
      plannedAtLoadMinute: nightly ? loadMinute(nightly.moment) : 'shop schedule',
      pipelineRuns: scheduledRuns.map((run) => `${loadMinute(startedAt(run))}:${String(run.status)}:${String(run.seconds)}s`).join(' '),
      backups: backups.map((set) => `${loadMinute(startedAt(set))}:repo${String(set.repo)}:${String(set.type)}`).join(' '),
    });
    writeBenchResult(
      'soak',
      { 'rss-worker-leader-peak.maxMb': `< ${WORKER_BOUND_MB}`, 'rss-worker-leader.floorSlopeMbPerMin': `< ${LEVEL_SLOPE_MB_PER_MIN}`, 'rss-worker-leader-peak.peakSlopeMbPerMin': `< ${LEVEL_SLOPE_MB_PER_MIN}`, 'load.errors': '0' },
      results,
    );
  } finally {
    await db?.end().catch(() => undefined);
    await closeShopperConnections();
    stopLauncher();
    // every process of the group, not only the launcher, must be gone before the data dir is removed
    for (let waited = 0; isGroupAlive() && waited < 60_000; waited += 250) await new Promise((resolve) => setTimeout(resolve, 250));
    if (isGroupAlive() && launcher.pid) process.kill(-launcher.pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 500 });
  }
}

await main();
