import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { nextDailyRun, parseTimeOfDay } from './daily.js';

const at2 = { hour: 2, minute: 0 };

describe('nextDailyRun', () => {
  it('runs at 02:00 in the shop time zone, not in UTC', () => {
    assert.equal(nextDailyRun({ ...at2, timeZone: 'America/New_York' }, new Date('2026-11-25T12:00:00Z')).toISOString(), '2026-11-26T07:00:00.000Z');
    assert.equal(nextDailyRun({ ...at2, timeZone: 'Asia/Seoul' }, new Date('2026-11-25T12:00:00Z')).toISOString(), '2026-11-25T17:00:00.000Z');
  });

  it('picks today when 02:00 has not come yet, tomorrow right after it', () => {
    assert.equal(nextDailyRun({ ...at2, timeZone: 'UTC' }, new Date('2026-11-25T01:59:00Z')).toISOString(), '2026-11-25T02:00:00.000Z');
    assert.equal(nextDailyRun({ ...at2, timeZone: 'UTC' }, new Date('2026-11-25T02:00:00Z')).toISOString(), '2026-11-26T02:00:00.000Z');
  });

  it('follows daylight saving time in both directions', () => {
    // summer: EDT (UTC-4)
    assert.equal(nextDailyRun({ ...at2, timeZone: 'America/New_York' }, new Date('2026-07-01T12:00:00Z')).toISOString(), '2026-07-02T06:00:00.000Z');
    // 2026-03-08 02:00 does not exist in New York: run at 03:00 EDT = 07:00Z
    assert.equal(nextDailyRun({ ...at2, timeZone: 'America/New_York' }, new Date('2026-03-08T05:00:00Z')).toISOString(), '2026-03-08T07:00:00.000Z');
    // 2026-11-01: 02:00 EST comes once after the fall-back hour
    assert.equal(nextDailyRun({ ...at2, timeZone: 'America/New_York' }, new Date('2026-11-01T04:00:00Z')).toISOString(), '2026-11-01T07:00:00.000Z');
  });

  it('parses HH:MM and names the variable when wrong', () => {
    assert.deepEqual(parseTimeOfDay('02:00', 'X'), { hour: 2, minute: 0 });
    assert.throws(() => parseTimeOfDay('25:00', 'THREADLINE_BACKUP_AT'), /THREADLINE_BACKUP_AT/);
  });
});
