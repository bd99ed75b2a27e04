import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InsightInputError } from '@threadline/insights';
import { LakeError, LakeInputError } from '@threadline/lake';
import { PipelineBusyError } from '@threadline/pipeline';

import { KIND_STATUS, toErrorResponse } from './error-handler.js';

describe('one error handler for every package', () => {
  it('maps transport-neutral kinds to HTTP statuses and keeps the package code and field', () => {
    const cases: Array<[unknown, number, string]> = [
      [new LakeInputError('QUERY_NOT_READ_ONLY', 'only SELECT', 'sql'), 403, 'QUERY_NOT_READ_ONLY'],
      [new LakeInputError('SURVEY_ZIP_BOMB', 'expands too far', 'file'), 413, 'SURVEY_ZIP_BOMB'],
      [new LakeInputError('SURVEY_NOT_SPREADSHEET', 'not a sheet', 'file'), 415, 'SURVEY_NOT_SPREADSHEET'],
      [new LakeInputError('SURVEY_NO_VALID_ROWS', 'no valid rows', 'row 2'), 422, 'SURVEY_NO_VALID_ROWS'],
      [new PipelineBusyError(), 409, 'PIPELINE_BUSY'],
      [new InsightInputError('from', 'from must be a date'), 400, 'VALIDATION_FAILED'],
      [new LakeError('INVALID_PARTITION', 'bad dt'), 400, 'INVALID_PARTITION'],
    ];
    for (const [error, status, code] of cases) {
      const response = toErrorResponse(error);
      assert.equal(response.status, status, code);
      assert.equal(response.body.error.code, code);
    }
    assert.equal(toErrorResponse(new InsightInputError('from', 'from must be a date')).body.error.field, 'from');
  });

  it('never shows the message of a server-side failure', () => {
    const down = toErrorResponse(new LakeError('STORAGE_FAILED', 'cannot put s3://secret-bucket/lake/x.parquet'));
    assert.equal(down.status, 503);
    assert.equal(down.body.error.code, 'SERVICE_UNAVAILABLE');
    assert.ok(!down.body.error.message.includes('secret-bucket'));
    const bug = toErrorResponse(new LakeError('QUERY_FAILED', 'DuckDB: Binder Error near /var/lake'));
    assert.equal(bug.status, 500);
    assert.equal(bug.body.error.message, 'internal error');
  });

  it('has a status for every kind', () => {
    assert.deepEqual(Object.keys(KIND_STATUS).sort(), ['conflict', 'forbidden', 'internal', 'invalid', 'not_found', 'too_large', 'unavailable', 'unprocessable', 'unsupported']);
  });
});
