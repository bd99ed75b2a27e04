import { InvalidArgumentError, type Command } from 'commander';

import { generateDemoTraffic, listDemoProducts, MAX_DEMO_EVENTS, type DeviceClass, type Region, type TrafficSource } from '@threadline/clickstream';
import { todayIn, windowEndingOn } from '@threadline/domain';
import { DEFAULT_LIMITS, InsightsLake, PeakHoursInputError, peakHours, type HourFigures } from '@threadline/insights';
import { lakeFromConfig } from '@threadline/lake';

import { parseFormat, printRows, withFormat } from '../output.js';
import { loadRuntime, withPool } from '../runtime.js';

function percent(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(1)} %`;
}

function hourRows(hours: HourFigures[]): Array<Record<string, unknown>> {
  return hours.map((h) => ({ hour: `${String(h.hour).padStart(2, '0')}:00`, visits: h.visits, sessions: h.sessions, visitors: h.visitors, conversions: h.conversions, share: percent(h.share) }));
}

interface PeakOptions {
  from?: string;
  to?: string;
  tz?: string;
  region?: string;
  device?: string;
  bots?: boolean;
  source?: string;
  top: string;
  local?: boolean;
  format?: string;
}

function positive(option: string, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) throw new InvalidArgumentError(`${option} takes a whole number 1-${max}, got "${value}"`);
    return Number(value);
  };
}

export function registerInsights(program: Command): void {
  const insights = program.command('insights').description('marketing analyses over the lake (peak hours 5.1, demo traffic)');

  withFormat(
    insights
      .command('peak-hours')
      .description('when visitors come: visits, sessions, visitors and conversions by hour of day, top peaks, quietest hour, weekly trend')
      .option('--from <date>', 'first day YYYY-MM-DD (default: 30 days before --to)')
      .option('--to <date>', 'last day YYYY-MM-DD (default: today in the shop time zone)')
      .option('--tz <zone>', 'IANA time zone of the shop-time view (default THREADLINE_TIME_ZONE)')
      .option('--region <region>', 'north_america | south_america | europe | asia | africa | oceania | other')
      .option('--device <device>', 'desktop | mobile | tablet | other')
      .option('--bots', 'include traffic marked as bots')
      .option('--source <source>', 'live | import: only live traffic, or only history imported from old logs (default: both)')
      .option('--local', "break down by visitors' own local time instead of shop time")
      .option('--top <n>', 'number of top hours to list', String(DEFAULT_LIMITS.peakTop)),
  ).action(async (options: PeakOptions) => {
    const format = parseFormat(options.format);
    const runtime = loadRuntime('insights');
    const timeZone = options.tz ?? runtime.config.shopTimeZone;
    const to = options.to ?? todayIn(runtime.config.shopTimeZone);
    const from = options.from ?? windowEndingOn(to, 30).from;
    const lake = await InsightsLake.open(runtime.config.dataDir, { ...runtime.config.duckdb, lake: lakeFromConfig(runtime.config) });
    try {
      const result = await peakHours(lake, {
        from,
        to,
        timeZone,
        // checked by checkPeakHourFilters inside peakHours, which names the flag at fault
        ...(options.region ? { region: options.region as Region } : {}),
        ...(options.device ? { device: options.device as DeviceClass } : {}),
        ...(options.source ? { source: options.source as TrafficSource } : {}),
        includeBots: options.bots === true,
        top: Number(options.top),
      });
      if (format === 'json') {
        console.log(JSON.stringify(result, null, 2));
        return;
      }
      const hours = options.local ? result.byHourLocal : result.byHour;
      printRows(hourRows(hours), format);
      if (format === 'table') {
        const clock = options.local ? "visitors' local time" : timeZone;
        const peaks = (options.local ? result.topPeaksLocal : result.topPeaks).map((h) => `${String(h.hour).padStart(2, '0')}:00 (${percent(h.share)})`);
        console.log(`\n${result.window.from} … ${result.window.to}, ${clock}${result.filters.region ? `, ${result.filters.region}` : ''}${result.filters.device ? `, ${result.filters.device}` : ''}`);
        console.log(`top peaks: ${peaks.join(', ') || '—'}`);
        console.log(`quietest hour (maintenance window): ${result.quietestHour ? `${String(result.quietestHour.hour).padStart(2, '0')}:00 ${timeZone}, ${result.quietestHour.visits} visits` : '—'}`);
        if (result.weekly.length > 0) {
          console.log('\nweek over week:');
          printRows(result.weekly.map((w) => ({ week: w.weekStart, days: w.days, visits: w.visits, perDay: Math.round(w.visitsPerDay), change: percent(w.visitsChange), peak: w.peakHour === null ? '—' : `${String(w.peakHour).padStart(2, '0')}:00`, conversions: w.conversions })), 'table');
        }
      }
    } catch (error) {
      if (error instanceof PeakHoursInputError) throw new Error(`--${error.field}: ${error.message}`, { cause: error });
      throw error;
    } finally {
      lake.close();
    }
  });

  insights
    .command('demo-traffic')
    .description('write demo web traffic straight into the lake (default ~1M events over 90 days); replaces earlier demo traffic')
    .option('--events <n>', `approximate number of events (max ${MAX_DEMO_EVENTS})`, positive('--events', MAX_DEMO_EVENTS), 1_000_000)
    .option('--days <n>', 'days of traffic ending today', positive('--days', 3660), 90)
    .option('--seed <n>', 'seed number (default $THREADLINE_SEED)', positive('--seed', 2_147_483_646))
    .action(async (options: { events: number; days: number; seed?: number }) => {
      const runtime = loadRuntime('demo-traffic');
      // without a database the demo pages point at products 1..200, visited alike
      const products = await withPool(runtime, (pool) => listDemoProducts(pool)).catch(() => ({ productIds: [], productWeights: undefined }));
      const started = Date.now();
      const result = await generateDemoTraffic({
        storage: lakeFromConfig(runtime.config).storage,
        workDir: runtime.config.dataDir,
        events: options.events,
        days: options.days,
        seed: options.seed ?? runtime.config.seed,
        productIds: products.productIds,
        ...(products.productWeights && products.productWeights.length > 0 ? { productWeights: products.productWeights } : {}),
        onProgress: (line) => console.log(line),
      });
      console.log(`${result.events.toLocaleString('en-US')} events (${result.from} … ${result.to}) in ${result.files} hour files, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
}
