import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { nextDailyRun, parseTimeOfDay } from '@threadline/ops';
import { Cron } from 'croner';

import { nightlySchedule } from './nightly-schedule.js';

describe('the soak’s nightly schedule', () => {
  for (const [from, timeZone, at] of [
    ['2026-12-07T06:55:30Z', 'America/New_York', '02:06'],
    ['2026-07-07T23:58:10Z', 'America/New_York', '20:09'],
    ['2026-12-07T23:55:00Z', 'UTC', '00:05'],
  ] as const) {
    it(`names the same moment to the pipeline’s cron and the backup’s time (${timeZone}, ${from})`, () => {
      const start = Date.parse(from);
      const schedule = nightlySchedule(start, 10, timeZone);
      assert.equal(schedule.at, at);
      assert.ok(schedule.moment >= start + 10 * 60_000 && schedule.moment < start + 11 * 60_000, 'the first whole minute ten minutes on');
      // what the worker's schedulers make of them
      assert.equal(new Cron(schedule.cron, { timezone: timeZone, paused: true }).nextRun(new Date(start))?.getTime(), schedule.moment);
      assert.equal(nextDailyRun({ ...parseTimeOfDay(schedule.at, 'THREADLINE_BACKUP_AT'), timeZone }, new Date(start)).getTime(), schedule.moment);
    });
  }
});
