import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InsightInputError } from '@threadline/insights';
import { LakeError, LakeInputError } from '@threadline/lake';
import { OrderError } from '@threadline/orders';
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
      [new OrderError('OUT_OF_STOCK', 'only 0 left', 'variantId'), 409, 'OUT_OF_STOCK'],
      [new OrderError('VALIDATION_FAILED', 'no shipping to Mars', 'address.country'), 400, 'VALIDATION_FAILED'],
      [new OrderError('NOT_FOUND', 'order not found', 'id'), 404, 'NOT_FOUND'],
      [new OrderError('PAYMENT_RETRY', 'the refund failed: provider down'), 402, 'PAYMENT_RETRY'],
    ];
    for (const [error, status, code] of cases) {
      const response = toErrorResponse(error);
      assert.equal(response.status, status, code);
      assert.equal(response.body.error.code, code);
    }
    assert.equal(toErrorResponse(new InsightInputError('from', 'from must be a date')).body.error.field, 'from');
    assert.equal(toErrorResponse(new OrderError('OUT_OF_STOCK', 'only 0 left', 'variantId')).body.error.field, 'variantId');
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

  it('answers 503 with Retry-After when the database is down or restarting, and 500 for other failures', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const dropped = new Error('Connection terminated unexpectedly');
    const crashed = Object.assign(new Error('terminating connection because of crash of another server process'), { code: '57P02' });
    const starting = Object.assign(new Error('the database system is starting up'), { code: '57P03' });
    const linkFailure = Object.assign(new Error('connection failure'), { code: '08006' });
    for (const error of [refused, dropped, crashed, starting, linkFailure, new AggregateError([refused, refused])]) {
      const response = toErrorResponse(error);
      assert.equal(response.status, 503, error.message);
      assert.equal(response.body.error.code, 'SERVICE_UNAVAILABLE');
      assert.equal(response.headers?.['retry-after'], '2');
    }
    assert.equal(toErrorResponse(Object.assign(new Error('syntax error'), { code: '42601' })).status, 500);
    assert.equal(toErrorResponse(new Error('something else')).status, 500);
  });

  it('has a status for every kind', () => {
    assert.deepEqual(Object.keys(KIND_STATUS).sort(), ['conflict', 'forbidden', 'internal', 'invalid', 'not_found', 'payment_failed', 'too_large', 'unavailable', 'unprocessable', 'unsupported']);
  });
});
