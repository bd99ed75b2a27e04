import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';

import { buildFixtureLake, type FixtureEvent } from './fixtures.js';
import { InsightsLake } from '../lake/insights-lake.js';
import { PeakHoursInputError, peakHours, type PeakHourFilters } from './peak-hours.js';

const NY = 'America/New_York';

// Hand-made fixture around the US spring DST change (Sun 2026-03-08, 02:00 EST → 03:00 EDT).
const EVENTS: FixtureEvent[] = [
  { at: '2026-03-07T15:30:00Z', visitor: 'visitor_v1', session: 'session_s1a', zone: NY }, // Sat 10:30 EST
  { at: '2026-03-07T15:40:00Z', visitor: 'crawler_01', session: 'crawler_s1', zone: NY, isBot: true }, // bot, Sat 10:40
  { at: '2026-03-08T06:30:00Z', visitor: 'visitor_v2', session: 'session_s2', zone: NY }, // Sun 01:30 EST
  { at: '2026-03-08T07:30:00Z', visitor: 'visitor_v3', session: 'session_s3', zone: NY }, // Sun 03:30 EDT (02:xx does not exist)
  { at: '2026-03-08T10:45:00Z', visitor: 'visitor_v5', session: 'session_s5', zone: 'Asia/Kolkata', device: 'mobile' }, // NY 06:45; Kolkata 16:15
  { at: '2026-03-09T14:30:00Z', visitor: 'visitor_v1', session: 'session_s1b', zone: NY }, // Mon 10:30 EDT
  { at: '2026-03-09T14:40:00Z', visitor: 'visitor_v1', session: 'session_s1b', zone: NY, type: 'order_paid' },
  { at: '2026-03-09T23:30:00Z', visitor: 'visitor_v4', session: 'session_s4', zone: 'Europe/Berlin' }, // NY Mon 19:30; Berlin Tue 00:30
  // US fall-back (Sun 2026-11-01): 01:xx happens twice
  { at: '2026-11-01T05:30:00Z', visitor: 'visitor_v6', session: 'session_s6', zone: NY }, // 01:30 EDT
  { at: '2026-11-01T06:30:00Z', visitor: 'visitor_v7', session: 'session_s7', zone: NY }, // 01:30 EST
];

describe('peak hours (5.1)', () => {
  let dataDir: string;
  let lake: InsightsLake;
  const run = (filters: Partial<PeakHourFilters>) => peakHours(lake, { from: '2026-03-07', to: '2026-03-09', timeZone: NY, ...filters });

  before(async () => {
    dataDir = await buildFixtureLake(EVENTS);
    lake = await InsightsLake.open(dataDir);
  });
  after(async () => {
    lake.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('counts visits by hour of day in the shop time zone across the DST change', async () => {
    const result = await run({});
    const visits = Object.fromEntries(result.byHour.filter((h) => h.visits > 0).map((h) => [h.hour, h.visits]));
    assert.deepEqual(visits, { 1: 1, 3: 1, 6: 1, 10: 2, 19: 1 });
    assert.equal(result.byHour[2]?.visits, 0, '02:00 did not exist on 8 March');
    assert.deepEqual(result.totals, { visits: 6, sessions: 6, visitors: 6, conversions: 1 });
    const ten = result.byHour[10];
    assert.equal(ten?.sessions, 2);
    assert.equal(ten?.conversions, 1);
    assert.equal(ten?.share, 2 / 6);
    assert.equal(ten?.conversionRate, 0.5);
  });

  it('lists top peaks with their share (ties to the earlier hour) and the quietest hour', async () => {
    const result = await run({});
    assert.deepEqual(result.topPeaks.map((h) => [h.hour, h.visits, h.share]), [[10, 2, 2 / 6], [1, 1, 1 / 6], [3, 1, 1 / 6]]);
    assert.equal(result.quietestHour?.hour, 0);
    assert.equal(result.quietestHour?.visits, 0);
  });

  it('builds the weekday × hour heat map in shop time', async () => {
    const result = await run({});
    const hot = result.heatmap.filter((c) => c.visits > 0).map((c) => [c.weekday, c.hour, c.visits]);
    assert.deepEqual(hot, [[1, 10, 1], [1, 19, 1], [6, 10, 1], [7, 1, 1], [7, 3, 1], [7, 6, 1]]);
    assert.equal(result.heatmap.length, 7 * 24);
  });

  it("uses visitors' own clocks for the local view, including half-hour zones and the window edge", async () => {
    const result = await run({});
    const local = Object.fromEntries(result.byHourLocal.filter((h) => h.visits > 0).map((h) => [h.hour, h.visits]));
    // Kolkata 16:15; the Berlin visit is Tuesday 00:30 local: outside a window ending Monday
    assert.deepEqual(local, { 1: 1, 3: 1, 10: 2, 16: 1 });
    const wider = await run({ to: '2026-03-10' });
    const berlin = wider.heatmapLocal.find((c) => c.weekday === 2 && c.hour === 0);
    assert.equal(berlin?.visits, 1, 'crosses midnight into Tuesday in Berlin');
    assert.equal(wider.heatmap.find((c) => c.weekday === 1 && c.hour === 19)?.visits, 1, 'still Monday evening in New York');
  });

  it('filters by region and device and leaves bots out unless asked', async () => {
    const europe = await run({ to: '2026-03-10', region: 'europe' });
    assert.deepEqual(europe.byHour.filter((h) => h.visits > 0).map((h) => h.hour), [19]);
    const mobile = await run({ device: 'mobile' });
    assert.deepEqual(mobile.byHour.filter((h) => h.visits > 0).map((h) => h.hour), [6]);
    const withBots = await run({ includeBots: true });
    assert.equal(withBots.byHour[10]?.visits, 3);
  });

  it('reports weeks (Monday start, shop time) with week-over-week change and each week\'s peak', async () => {
    const result = await run({});
    // the window (Sat 7 – Mon 9 March) holds 2 days of the first week and 1 of the second: 4 visits
    // in 2 days and 2 in 1 day are the same rate, not a 50 % drop
    assert.deepEqual(
      result.weekly.map((w) => [w.weekStart, w.days, w.elapsedDays, w.visits, w.visitsPerDay, w.visitsChange, w.peakHour]),
      [['2026-03-02', 2, 2, 4, 2, null, 1], ['2026-03-09', 1, 1, 2, 2, 0, 10]],
    );
  });

  it('compares a week that runs to today by the part of today already past', async () => {
    // noon on Monday 9 March in New York (EDT since the 8th): half of the window's last day is past,
    // so the second week's 2 visits are 4 a day, twice the first week's rate
    const result = await run({ now: new Date('2026-03-09T16:00:00Z') });
    assert.deepEqual(
      result.weekly.map((w) => [w.weekStart, w.days, w.elapsedDays, w.visitsPerDay, w.visitsChange]),
      [['2026-03-02', 2, 2, 2, null], ['2026-03-09', 1, 0.5, 4, 1]],
    );
    // the hour begun counts whole (the rollup's grain), so the answer is the same all hour
    const withinTheHour = await run({ now: new Date('2026-03-09T15:01:00Z') });
    assert.deepEqual(withinTheHour.weekly.map((w) => w.elapsedDays), [2, 0.5]);
    // once the day is over it counts whole again
    const later = await run({ now: new Date('2026-03-10T04:00:00Z') });
    assert.deepEqual(later.weekly.map((w) => w.elapsedDays), [2, 1]);
  });

  it('counts both 01:30s of the autumn DST change in hour 1', async () => {
    const result = await run({ from: '2026-11-01', to: '2026-11-01' });
    assert.equal(result.byHour[1]?.visits, 2);
    assert.equal(result.totals.visits, 2);
  });

  it('answers an empty window with zeros and no peaks', async () => {
    const result = await run({ from: '2025-01-01', to: '2025-01-31' });
    assert.equal(result.totals.visits, 0);
    assert.deepEqual(result.topPeaks, []);
    assert.equal(result.quietestHour, null);
    assert.equal(result.byHour.length, 24);
  });

  it('rejects bad filters naming the field', async () => {
    await assert.rejects(run({ from: '2026-02-30' }), (e: unknown) => e instanceof PeakHoursInputError && e.field === 'from');
    await assert.rejects(run({ timeZone: 'Mars/Base' }), (e: unknown) => e instanceof PeakHoursInputError && e.field === 'tz');
    await assert.rejects(run({ from: '2026-03-09', to: '2026-03-01' }), (e: unknown) => e instanceof PeakHoursInputError && e.field === 'from');
  });
});
