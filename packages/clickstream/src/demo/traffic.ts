import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

import { CLICKSTREAM_DATASET, CLICKSTREAM_ROLLUP_DATASET, openDuckDb, sqlLiteral, walkFiles, type LakeDb, type LakeStorage } from '@threadline/lake';

import { ROLLUP_SELECT, rebuildDayRollup, rollupKey } from '../delivery/rollup.js';
import { PARQUET_OPTIONS } from '../delivery/columns.js';

/**
 * Demo web traffic for the peak-hour analysis, written straight into the lake's final layout
 * (one compacted file per hour + the daily rollups) by DuckDB — no HTTP, no spool — so a first
 * start stays within seconds for the default million events.
 *
 * The shape is realistic on purpose: visitors live in North American, South American and European
 * time zones and browse by their own diurnal rhythm (quiet at night, lunch bump, evening peak),
 * weekends are busier, traffic grows over the window and three campaign days spike. Sessions are
 * page views, product views, searches and carts, a few percent converting to paid orders; about 3 %
 * of sessions are bots. Everything derives from `seed` through DuckDB's deterministic `hash`.
 */
export interface DemoTrafficOptions {
  storage: LakeStorage;
  /** Local scratch directory. */
  workDir: string;
  /** Approximate number of events (default 1,000,000; up to 50,000,000). */
  events?: number;
  /** Days of traffic ending at `end` (default 90). */
  days?: number;
  /**
   * The present moment (default now): the last event falls before the start of its UTC hour, so
   * live traffic owns the current hour and the demo never reaches into the future.
   */
  end?: Date;
  seed?: number;
  /** Product ids for product pages; default 1..200. */
  productIds?: readonly string[];
  /**
   * How often each product of `productIds` (same order) is picked, relative to the others
   * (`listDemoProducts` weighs them by their order lines); every product alike without it.
   */
  productWeights?: readonly number[];
  onProgress?: (line: string) => void;
  threads?: number;
}

export interface DemoTrafficResult {
  events: number;
  sessions: number;
  files: number;
  days: number;
  from: string;
  to: string;
}

export const MAX_DEMO_EVENTS = 50_000_000;

/** Demo hour files are `compacted-seed-<seed>.parquet`: compacted, and recognisable to replace. */
const DEMO_FILE_STEM = 'compacted-seed-';

// [zone, region, share of visitors, language]
const ZONES: Array<[string, string, number, string]> = [
  ['America/New_York', 'north_america', 0.25, 'en-US'],
  ['America/Chicago', 'north_america', 0.12, 'en-US'],
  ['America/Denver', 'north_america', 0.05, 'en-US'],
  ['America/Los_Angeles', 'north_america', 0.13, 'en-US'],
  ['America/Sao_Paulo', 'south_america', 0.08, 'pt-BR'],
  ['America/Argentina/Buenos_Aires', 'south_america', 0.04, 'es-AR'],
  ['America/Bogota', 'south_america', 0.03, 'es-CO'],
  ['Europe/London', 'europe', 0.09, 'en-GB'],
  ['Europe/Paris', 'europe', 0.07, 'fr-FR'],
  ['Europe/Berlin', 'europe', 0.08, 'de-DE'],
  ['Europe/Madrid', 'europe', 0.06, 'es-ES'],
];

// relative sessions starting in each local hour: night trough, morning ramp, lunch, evening peak
const HOUR_WEIGHTS = [1.2, 0.7, 0.4, 0.3, 0.3, 0.5, 1.0, 1.8, 2.6, 3.2, 3.6, 4.0, 4.6, 4.4, 3.9, 3.7, 3.8, 4.2, 4.8, 5.6, 6.2, 5.9, 4.4, 2.5];
/** Expected events per session of the length distribution below (1 + floor(Exp(mean 5))). */
const MEAN_EVENTS_PER_SESSION = 5.52;

const LOOKUP_SIZE = 10_000;

/**
 * Inverse-CDF sampling as a list lookup: entry b (1-based) is the index whose weight band holds
 * the uniform value b / LOOKUP_SIZE. `list[1 + floor(u * LOOKUP_SIZE)]` then samples in O(1),
 * far cheaper in DuckDB than range joins against a CDF table.
 */
function lookupList(weights: readonly number[]): string {
  const total = weights.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  let index = 0;
  let upper = (weights[0] ?? 0) / total;
  for (let b = 0; b < LOOKUP_SIZE; b += 1) {
    const u = (b + 0.5) / LOOKUP_SIZE;
    while (u > upper && index < weights.length - 1) {
      index += 1;
      upper += (weights[index] ?? 0) / total;
    }
    out.push(index);
  }
  return `[${out.join(',')}]`;
}

export async function generateDemoTraffic(options: DemoTrafficOptions): Promise<DemoTrafficResult> {
  const target = options.events ?? 1_000_000;
  if (!Number.isInteger(target) || target < 1 || target > MAX_DEMO_EVENTS) throw new Error(`events must be 1-${MAX_DEMO_EVENTS}`);
  const days = options.days ?? 90;
  if (!Number.isInteger(days) || days < 1 || days > 3660) throw new Error('days must be 1-3660');
  const seed = Math.abs(Math.trunc(options.seed ?? 42)) % 2_147_483_647;
  const end = options.end ?? new Date();
  const endDay = end.toISOString().slice(0, 10);
  const log = options.onProgress ?? (() => undefined);
  const products = options.productIds && options.productIds.length > 0 ? options.productIds : Array.from({ length: 200 }, (_, i) => String(i + 1));
  const weights = options.productWeights;
  if (weights !== undefined && (weights.length !== products.length || weights.some((weight) => !Number.isFinite(weight) || weight < 0) || !weights.some((weight) => weight > 0))) {
    throw new Error(`productWeights: expected ${products.length} finite weights of at least 0, not all 0`);
  }
  // event ids: the seed in the first group, (session × 64 + event index) in the last — unique, deterministic, cheap
  const seedHex = seed.toString(16).padStart(8, '0').slice(-8);
  const sessions = Math.max(1, Math.round(target / MEAN_EVENTS_PER_SESSION));
  const visitors = Math.max(1, Math.round(sessions / 2.6));
  const work = path.join(options.workDir, `demo-traffic-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const db = await openDuckDb({ threads: options.threads, tempDirectory: path.join(work, 'spill'), memoryLimit: '8GB' });
  try {
    await db.run(`CREATE MACRO u(x, salt) AS (hash(x, salt, ${seed}) % 1000003)::DOUBLE / 1000003`);
    await db.run(`CREATE TEMP TABLE zones AS SELECT * FROM (VALUES ${ZONES.map(([zone, region, , lang], i) => `(${i}, ${sqlLiteral(zone)}, ${sqlLiteral(region)}, ${sqlLiteral(lang)})`).join(', ')}) t(zi, zone, region, lang)`);
    // day weights: weekends +25 %, +40 % growth over the window, three campaign days ×2.5
    const spikes = [Math.floor(days * 0.17), Math.floor(days * 0.55), Math.floor(days * 0.87)];
    const dayWeights = Array.from({ length: days }, (_, d) => {
      const date = new Date(Date.parse(`${endDay}T00:00:00Z`) - (days - 1 - d) * 86_400_000);
      const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6 ? 1.25 : 1;
      return weekend * (1 + (0.4 * d) / days) * (spikes.includes(d) ? 2.5 : 1);
    });
    const zoneLookup = lookupList(ZONES.map((z) => z[2]));
    const hourLookup = lookupList(HOUR_WEIGHTS);
    const dayLookup = lookupList(dayWeights);
    await db.run(`CREATE TEMP TABLE products AS SELECT * FROM (VALUES ${products.map((id, i) => `(${i}, ${sqlLiteral(id)})`).join(', ')}) t(idx, id)`);
    // UTC start of every local hour per zone and day: a few thousand zone conversions instead of
    // one per session (ICU conversions with a varying zone are the expensive part)
    await db.run(`
      CREATE TEMP TABLE local_hours AS
      SELECT z.zi, d.d AS day_index, h.h, timezone(z.zone, (DATE '${endDay}' - ${days - 1} + d.d::INTEGER)::TIMESTAMP + to_seconds(h.h * 3600)) AS utc_start
        FROM zones z, range(${days}) d(d), range(24) h(h)`);
    log(`generating ~${target.toLocaleString('en-US')} events: ${sessions.toLocaleString('en-US')} sessions of ${visitors.toLocaleString('en-US')} visitors over ${days} days`);

    await db.run(`
      CREATE TEMP TABLE sessions AS
      WITH s AS (
        SELECT s, hash(s, 1, ${seed}) % ${visitors} AS v FROM range(${sessions}) t(s)
      ), attrs AS (
        SELECT s, v,
               ${zoneLookup}[1 + floor(u(v, 2) * ${LOOKUP_SIZE})::INTEGER] AS zi,
               u(v, 3) AS ud, u(v, 4) AS ub,
               ${dayLookup}[1 + floor(u(s, 5) * ${LOOKUP_SIZE})::INTEGER] AS day_index,
               ${hourLookup}[1 + floor(u(s, 6) * ${LOOKUP_SIZE})::INTEGER] AS h,
               u(s, 7) AS usec,
               1 + least(39, floor(-ln(1 - u(s, 8) * 0.999999) * 5))::INTEGER AS k,
               u(s, 9) AS uconv, u(s, 10) AS uutm, u(s, 11) AS usrc
          FROM s
      )
      SELECT a.s, a.k,
             'v' || lpad(a.v::VARCHAR, 10, '0') AS visitor_id,
             's' || lpad(a.s::VARCHAR, 11, '0') AS session_id,
             z.zone AS time_zone, z.region, z.lang AS language,
             CASE WHEN a.ub < 0.03 THEN 'other' WHEN a.ud < 0.58 THEN 'mobile' WHEN a.ud < 0.94 THEN 'desktop' ELSE 'tablet' END AS device,
             a.ub < 0.03 AS is_bot,
             a.day_index,
             lh.utc_start + to_seconds(floor(a.usec * 3600)::BIGINT) AS start_time,
             a.uconv < 0.035 AND a.k >= 3 AS converts,
             CASE WHEN a.day_index IN (${spikes.join(', ')}) AND a.uutm < 0.6 THEN 'spring-sale'
                  WHEN a.uutm < 0.18 THEN 'always-on' END AS utm_campaign,
             a.usrc
        FROM attrs a JOIN zones z ON z.zi = a.zi
        JOIN local_hours lh ON lh.zi = a.zi AND lh.day_index = a.day_index AND lh.h = a.h`);
    const [{ n: sessionCount = 0 } = {}] = await db.all<{ n: number }>('SELECT count(*)::INTEGER AS n FROM sessions');
    log(`sessions ready (${sessionCount.toLocaleString('en-US')})`);

    // a product index per event: weighted by popularity when given, else uniform
    const productIndex = weights === undefined ? `floor(up * ${products.length})::INTEGER` : `${lookupList(weights)}[1 + floor(up * ${LOOKUP_SIZE})::INTEGER]`;
    await db.run(`
      CREATE TEMP TABLE ev AS
      WITH e AS (
        SELECT ss.*, i, u(ss.s * 64 + i, 12) AS ut, u(ss.s * 64 + i, 13) AS up
          FROM (SELECT *, unnest(range(k)) AS i FROM sessions) ss
      ), typed AS (
        SELECT *,
               CASE WHEN converts AND i = k - 1 THEN 'order_paid'
                    WHEN converts AND i = k - 2 THEN 'checkout_started'
                    WHEN i = 0 AND ut < 0.02 THEN 'login'
                    WHEN i = 0 AND ut < 0.03 THEN 'sign_up'
                    WHEN i = 0 THEN 'page_view'
                    WHEN ut < 0.45 THEN 'product_view'
                    WHEN ut < 0.72 THEN 'page_view'
                    WHEN ut < 0.84 THEN 'search'
                    WHEN ut < 0.97 THEN 'add_to_cart'
                    ELSE 'page_view' END AS event_type,
               ${productIndex} AS pidx
          FROM e
      ), withp AS (
        SELECT typed.*, products.id AS pid FROM typed JOIN products ON products.idx = typed.pidx
      )
      SELECT ('${seedHex}-0000-4000-8000-' || lpad(to_hex(s * 64 + i), 12, '0'))::UUID AS event_id,
             event_type,
             start_time + to_seconds(i * 40 + floor(ut * 50)::BIGINT) AS event_time,
             start_time + to_seconds(i * 40 + floor(ut * 50)::BIGINT + 1) AS received_at,
             visitor_id, session_id,
             NULL::VARCHAR AS user_pseudonym,
             CASE event_type WHEN 'product_view' THEN '/products/' || pid WHEN 'add_to_cart' THEN '/products/' || pid
                  WHEN 'search' THEN '/search' WHEN 'checkout_started' THEN '/checkout' WHEN 'order_paid' THEN '/orders/confirmation'
                  WHEN 'login' THEN '/account/login' WHEN 'sign_up' THEN '/account/signup'
                  ELSE ['/', '/c/women', '/c/men', '/sale', '/new'][1 + floor(up * 5)::INTEGER] END AS path,
             CASE WHEN i = 0 AND utm_campaign IS NOT NULL THEN ['mail.example.com', 'instagram.com', 'www.google.com', 'facebook.com'][1 + floor(usrc * 4)::INTEGER] END AS referrer_host,
             CASE WHEN utm_campaign IS NOT NULL THEN ['newsletter', 'instagram', 'google', 'facebook'][1 + floor(usrc * 4)::INTEGER] END AS utm_source,
             CASE WHEN utm_campaign IS NOT NULL THEN ['email', 'social', 'cpc', 'social'][1 + floor(usrc * 4)::INTEGER] END AS utm_medium,
             utm_campaign, NULL::VARCHAR AS utm_term, NULL::VARCHAR AS utm_content,
             device, language, time_zone, region, is_bot,
             '198.51.100.0/24' AS ip_prefix,
             CASE WHEN event_type IN ('product_view', 'add_to_cart') THEN pid END AS product_id,
             CASE WHEN event_type = 'search' THEN ['linen shirt', 'denim jacket', 'summer dress', 'sneakers', 'wool coat'][1 + floor(up * 5)::INTEGER] END AS search_query,
             CASE WHEN event_type = 'order_paid' THEN (2000 + floor(up * 18000))::BIGINT END AS value_cents,
             CASE WHEN event_type = 'order_paid' THEN 'USD' END AS currency,
             NULL::VARCHAR AS tier, NULL::VARCHAR AS http_method, NULL::VARCHAR AS http_route,
             NULL::SMALLINT AS http_status, NULL::DOUBLE AS duration_ms, NULL::BIGINT AS bytes
        FROM withp`);
    // Sessions are laid out over whole local days, which reach up to a day past `end` in the
    // western zones. Events from the current UTC hour on are dropped: a demo event in the future
    // (or in the hour live events land in) would make every live event "late" and have the worker
    // recompact those hours again and again.
    const cutoff = new Date(Math.floor(end.getTime() / 3_600_000) * 3_600_000);
    await db.run(`DELETE FROM ev WHERE received_at >= ${sqlLiteral(cutoff.toISOString())}::TIMESTAMPTZ`);
    const [{ n: eventCount = 0, lo = '', hi = '' } = {}] = await db.all<{ n: number; lo: string; hi: string }>(
      "SELECT count(*)::INTEGER AS n, strftime(min(event_time), '%Y-%m-%d') AS lo, strftime(max(event_time), '%Y-%m-%d') AS hi FROM ev",
    );
    log(`events ready (${eventCount.toLocaleString('en-US')}); writing Parquet`);

    // One COPY per day, partitioned by hour (24 writers): a COPY per hour cost thousands of round
    // trips and Parquet writer set-ups, and one COPY over every hour opens thousands of writers.
    // Rows within an hour file are not sorted by time (a partitioned write does not keep order,
    // and sorting each day cost more than it saved); an hour file is one row group, so its
    // min/max statistics — what readers prune on — are the same either way.
    // floor, not `//`: epoch() is a DOUBLE, for which `//` divides without flooring and the cast
    // then rounds — which once put the second half of every hour into the next hour's partition
    await db.run(`CREATE TEMP TABLE ev_sorted AS SELECT *, floor(epoch(event_time) / 3600)::BIGINT AS hk FROM ev ORDER BY hk`);
    await db.run('DROP TABLE ev');
    const daysWritten = await db.all<{ dt: string; lo: number; hi: number }>(
      // hk counts hours since the epoch, which began at midnight UTC: hk % 24 is the UTC hour
      "SELECT strftime(make_timestamp(hk * 3600000000), '%Y-%m-%d') AS dt, min(hk)::INTEGER AS lo, max(hk)::INTEGER AS hi FROM ev_sorted GROUP BY dt ORDER BY dt",
    );
    const rawOut = path.join(work, 'raw');
    const columns = 'event_id, event_type, event_time, received_at, visitor_id, session_id, user_pseudonym, path, referrer_host, utm_source, utm_medium, utm_campaign, utm_term, utm_content, device, language, time_zone, region, is_bot, ip_prefix, product_id, search_query, value_cents, currency, tier, http_method, http_route, http_status, duration_ms, bytes';
    await mkdir(rawOut, { recursive: true });
    for (const { dt, lo, hi } of daysWritten) {
      await db.run(
        `COPY (SELECT ${columns}, lpad((hk % 24)::VARCHAR, 2, '0') AS hour FROM ev_sorted WHERE hk BETWEEN ${lo} AND ${hi})
           TO ${sqlLiteral(path.join(rawOut, `dt=${dt}`))} (${PARQUET_OPTIONS}, PARTITION_BY (hour), FILENAME_PATTERN ${sqlLiteral(`${DEMO_FILE_STEM}${seed}-{i}`)})`,
      );
    }
    log(`wrote ${daysWritten.length} days of hour files; writing the hourly rollups`);
    const rollupOut = path.join(work, 'rollup');
    await db.run(
      `COPY (SELECT *, strftime(hour_utc, '%Y-%m-%d') AS dt FROM (WITH events AS (SELECT * FROM ev_sorted) ${ROLLUP_SELECT}))
       TO ${sqlLiteral(rollupOut)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (dt), FILENAME_PATTERN 'rollup-{i}')`,
    );
    db.close();
    log('moving the files into the lake');

    // replace earlier demo traffic; keep real traffic (and rebuild its days' rollups below)
    const existing = await options.storage.list(`raw/${CLICKSTREAM_DATASET}/`);
    await options.storage.delete(existing.filter((k) => path.posix.basename(k).startsWith(DEMO_FILE_STEM)));
    const realDays = new Set(existing.filter((k) => !path.posix.basename(k).startsWith(DEMO_FILE_STEM)).map((k) => /dt=(\d{4}-\d{2}-\d{2})/.exec(k)?.[1] ?? ''));
    const files = await walkFiles(rawOut);
    for (const file of files) {
      // DuckDB numbers each partition's file (`…-0.parquet`); one file per hour, named as compaction names it
      const relative = path.relative(path.join(rawOut), path.dirname(file)).split(path.sep).join('/');
      const key = `raw/${CLICKSTREAM_DATASET}/${relative}/${DEMO_FILE_STEM}${seed}.parquet`;
      const local = options.storage.localPath(key);
      if (local) {
        // demo data is regenerated from the seed after a crash: a plain rename per file, without
        // the two fsyncs per put that the flusher needs, keeps thousands of files fast
        await mkdir(path.dirname(local), { recursive: true });
        await rename(file, local);
      } else {
        await options.storage.put(file, key);
      }
    }
    for (const file of await walkFiles(rollupOut)) {
      const dt = /dt=(\d{4}-\d{2}-\d{2})/.exec(file)?.[1];
      if (dt) await options.storage.put(file, rollupKey(dt));
    }
    const rebuild = [...realDays].filter((d) => d !== '');
    if (rebuild.length > 0) {
      const rdb: LakeDb = await openDuckDb({ threads: options.threads });
      try {
        for (const dt of rebuild) await rebuildDayRollup(rdb, options.storage, path.join(work, 'rebuild'), dt);
      } finally {
        rdb.close();
      }
    }
    log(`wrote ${files.length} hour files and ${CLICKSTREAM_ROLLUP_DATASET} rollups`);
    return { events: eventCount, sessions: sessionCount, files: files.length, days, from: lo, to: hi };
  } finally {
    db.close();
    await rm(work, { recursive: true, force: true });
  }
}
