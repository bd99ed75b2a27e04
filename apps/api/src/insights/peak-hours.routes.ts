import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

import { Type } from '@sinclair/typebox';

import { PeakHoursInputError, peakHours, rollupGlob, type PeakHoursResult } from '@threadline/insights';
import { CLICKSTREAM_ROLLUP_DATASET, DEVICE_CLASSES, REGIONS, lakeRoot, openDuckDb, type LakeDb } from '@threadline/lake';

import type { ApiApp } from '../app.js';
import { requireRole } from '../auth/session.js';
import type { ApiContext } from '../context.js';
import { AppError } from '../errors.js';
import { errors } from '../http/common.schemas.js';

const PeakHoursQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date', description: 'first day (inclusive), default 30 days before `to`' })),
    to: Type.Optional(Type.String({ format: 'date', description: 'last day (inclusive), default today in the shop time zone' })),
    tz: Type.Optional(Type.String({ maxLength: 64, description: 'IANA zone of the shop-time view (default THREADLINE_TIME_ZONE)' })),
    region: Type.Optional(Type.Union(REGIONS.map((r) => Type.Literal(r)))),
    device: Type.Optional(Type.Union(DEVICE_CLASSES.map((d) => Type.Literal(d)))),
    bots: Type.Optional(Type.Boolean({ description: 'include traffic marked as bots (default false)' })),
    top: Type.Optional(Type.Integer({ minimum: 1, maximum: 24, description: 'number of top hours listed (default 3)' })),
  },
  { additionalProperties: false },
);

const CACHE_LIMIT = 200;
const DEFAULT_WINDOW_DAYS = 30;

/**
 * `GET /api/insights/peak-hours` (admins and marketing): analysis 5.1 over the clickstream's
 * hourly rollup. Results are remembered per parameters until the rollup files change.
 */
export async function peakHoursRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  const lake = lakeRoot(context.config.dataDir);
  const rollupDir = path.join(lake, 'curated', CLICKSTREAM_ROLLUP_DATASET);
  let db: Promise<LakeDb> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const cache = new Map<string, { version: string; result: PeakHoursResult }>();
  let scanned = { at: 0, version: '', asOf: null as string | null };

  const fingerprint = async (): Promise<{ version: string; asOf: string | null }> => {
    if (Date.now() - scanned.at < 1000) return scanned;
    let count = 0;
    let newest = 0;
    for (const day of await readdir(rollupDir).catch(() => [])) {
      const info = await stat(path.join(rollupDir, day, 'rollup.parquet')).catch(() => undefined);
      if (!info) continue;
      count += 1;
      newest = Math.max(newest, info.mtimeMs);
    }
    scanned = { at: Date.now(), version: `${count}:${newest}`, asOf: newest > 0 ? new Date(newest).toISOString() : null };
    return scanned;
  };

  app.addHook('onClose', async () => {
    if (db) (await db).close();
  });

  app.get(
    '/api/insights/peak-hours',
    {
      preValidation: requireRole('admin', 'marketing'),
      schema: {
        tags: ['insights'],
        summary: 'Peak hours (5.1): visits, sessions, visitors and conversions by hour and weekday × hour, in shop and visitor-local time',
        querystring: PeakHoursQuery,
        response: { 200: Type.Unknown({ description: 'PeakHoursResult (see docs/clickstream.md) with asOf and cache' }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const timeZone = q.tz ?? context.config.shopTimeZone;
      const to = q.to ?? new Intl.DateTimeFormat('en-CA', { timeZone: context.config.shopTimeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
      const from = q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - (DEFAULT_WINDOW_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
      const filters = { from, to, timeZone, ...(q.region ? { region: q.region } : {}), ...(q.device ? { device: q.device } : {}), includeBots: q.bots ?? false, ...(q.top ? { top: q.top } : {}) };
      const { version, asOf } = await fingerprint();
      const key = JSON.stringify(filters);
      const hit = cache.get(key);
      if (hit && hit.version === version) return { ...hit.result, asOf, cache: 'hit' };
      db ??= openDuckDb({ threads: 2 });
      const conn = await db;
      // one DuckDB connection: queries run one after another
      const job = queue.then(() => peakHours((sql, params) => conn.all(sql, params), rollupGlob(context.config.dataDir), filters));
      queue = job.catch(() => undefined);
      let result: PeakHoursResult;
      try {
        result = await job;
      } catch (error) {
        if (error instanceof PeakHoursInputError) throw new AppError('VALIDATION_FAILED', error.message, error.field);
        throw error;
      }
      if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value ?? '');
      cache.set(key, { version, result });
      return { ...result, asOf, cache: 'live' };
    },
  );
}
