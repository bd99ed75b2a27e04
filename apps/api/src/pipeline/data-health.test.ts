import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { describeDataHealth, type RunFacts } from './data-health.js';

const NOW = new Date('2026-11-25T12:00:00Z');

function run(overrides: Partial<RunFacts>): RunFacts {
  return { id: 7, status: 'succeeded', currentStep: null, failedStep: null, error: null, startedAt: new Date('2026-11-25T07:00:00Z'), finishedAt: new Date('2026-11-25T07:01:00Z'), ...overrides };
}

describe('describeDataHealth', () => {
  it('says the pipeline never ran on a shop without runs', () => {
    const health = describeDataHealth({ latest: null, lastSuccess: null, failedRules: [], now: NOW });
    assert.equal(health.state, 'never_run');
    assert.match(health.message ?? '', /has not run yet/);
  });

  it('names the failed step and rule and when the shown figures are from', () => {
    const failed = run({ id: 9, status: 'failed', failedStep: 'quality', error: '1 quality rule(s) failed' });
    const health = describeDataHealth({ latest: failed, lastSuccess: run({ id: 8 }), failedRules: [{ dataset: 'product_day', name: 'uniqueness(dt,product_id)', observed: 29312 }], now: NOW });
    assert.equal(health.state, 'failed');
    assert.equal(health.lastRunId, 9);
    assert.match(health.message ?? '', /run \(#9, 2026-11-25 07:01 UTC\) failed at quality: product_day\.uniqueness\(dt,product_id\) observed 29312/);
    assert.match(health.message ?? '', /figures are from the run that finished 2026-11-25 07:01 UTC/);
  });

  it('falls back to the run error when no rule failed, and says nothing was published yet', () => {
    const health = describeDataHealth({ latest: run({ status: 'failed', failedStep: 'extract', error: 'cannot reach PostgreSQL' }), lastSuccess: null, failedRules: [], now: NOW });
    assert.match(health.message ?? '', /failed at extract: cannot reach PostgreSQL\. No run has published data yet\./);
  });

  it('reports a run in progress with its step', () => {
    const health = describeDataHealth({ latest: run({ status: 'running', currentStep: 'extract', finishedAt: null }), lastSuccess: null, failedRules: [], now: NOW });
    assert.equal(health.state, 'running');
    assert.match(health.message ?? '', /is running \(step extract\)/);
  });

  it('calls data older than 36 hours stale and recent data ok', () => {
    const old = run({ finishedAt: new Date('2026-11-23T23:00:00Z') });
    assert.equal(describeDataHealth({ latest: old, lastSuccess: old, failedRules: [], now: NOW }).state, 'stale');
    const fresh = run({});
    const health = describeDataHealth({ latest: fresh, lastSuccess: fresh, failedRules: [], now: NOW });
    assert.equal(health.state, 'ok');
    assert.equal(health.message, null);
  });
});
