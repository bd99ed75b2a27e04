import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { addDays, dateInZone, dateRange, daysBetween, isIsoDate, isTimeZone, mondayOf, todayIn, windowEndingOn } from './calendar.js';

describe('calendar', () => {
  it('accepts only real calendar dates', () => {
    assert.equal(isIsoDate('2028-02-29'), true);
    assert.equal(isIsoDate('2026-02-29'), false);
    assert.equal(isIsoDate('2026-2-01'), false);
    assert.equal(isIsoDate('2026-13-01'), false);
  });

  it('dates an instant in the shop zone, not in UTC', () => {
    const lateEvening = new Date('2026-03-08T23:30:00Z');
    assert.equal(dateInZone(lateEvening, 'UTC'), '2026-03-08');
    assert.equal(dateInZone(lateEvening, 'Europe/Berlin'), '2026-03-09');
    assert.equal(todayIn('America/Los_Angeles', lateEvening), '2026-03-08');
  });

  it('does date arithmetic across month ends and a DST change', () => {
    assert.equal(addDays('2026-03-28', 2), '2026-03-30');
    assert.equal(addDays('2026-03-01', -1), '2026-02-28');
    assert.deepEqual(dateRange('2026-03-28', '2026-03-30'), ['2026-03-28', '2026-03-29', '2026-03-30']);
    assert.equal(daysBetween('2026-01-01', '2026-12-31'), 364);
    assert.deepEqual(windowEndingOn('2026-03-31', 7), { from: '2026-03-25', to: '2026-03-31' });
    assert.equal(mondayOf('2026-03-08'), '2026-03-02');
    assert.throws(() => dateRange('2026-02-30', '2026-03-01'), RangeError);
  });

  it('knows IANA zones', () => {
    assert.equal(isTimeZone('Europe/Berlin'), true);
    assert.equal(isTimeZone('Mars/Olympus'), false);
  });
});
