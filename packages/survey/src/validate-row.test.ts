import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isRejection, validateSurveyRow } from './validate-row.js';

const LATEST = '2026-11-26';

describe('survey row validation', () => {
  it('accepts a date cell and maps the answers', () => {
    const result = validateSurveyRow(3, { response_date: new Date('2026-11-01T00:00:00Z'), channel: 'Instagram', age_band: '29', gender: 'F', region: 'USA', free_text: 'ok\u0007' }, LATEST);
    assert.deepEqual(result, { rowNumber: 3, responseDate: '2026-11-01', ageBand: '25-34', gender: 'female', region: 'north_america', channel: 'social_media', channelLabel: 'Instagram', freeText: 'ok' });
  });

  it('rejects an invalid date cell with a reason instead of failing the whole import', () => {
    const result = validateSurveyRow(7, { response_date: new Date(Number.NaN), channel: 'TV' }, LATEST);
    assert.ok(isRejection(result));
    assert.deepEqual(result, { row: 7, field: 'response_date', reason: '"an invalid date" is not a date (use YYYY-MM-DD)' });
  });

  it('names the row and field of each problem', () => {
    assert.deepEqual(validateSurveyRow(4, { response_date: '', channel: 'TV' }, LATEST), { row: 4, field: 'response_date', reason: 'response date is empty' });
    assert.deepEqual(validateSurveyRow(5, { response_date: 46331, channel: 'TV', age_band: 'ancient' }, LATEST), { row: 5, field: 'age_band', reason: '"ancient" is not an age or age band (18-24 … 65+)' });
    assert.deepEqual(validateSurveyRow(6, { response_date: '2099-01-01', channel: 'TV' }, LATEST), { row: 6, field: 'response_date', reason: `2099-01-01 is outside 2000-01-01 … ${LATEST}` });
  });
});
