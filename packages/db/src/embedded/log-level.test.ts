import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { pgLogLevel } from './cluster.js';

describe('severity of the embedded server log lines', () => {
  it('keeps WARNING, ERROR and FATAL of the server at their level', () => {
    assert.equal(pgLogLevel('2026-12-05 14:35:45.185 UTC [29930] WARNING:  archiving write-ahead log file "000000010000000000000001" failed too many times'), 'warn');
    assert.equal(pgLogLevel('2026-12-05 14:35:45.185 UTC [1] ERROR:  relation "x" does not exist'), 'error');
    assert.equal(pgLogLevel('2026-12-05 14:35:45.185 UTC [1] FATAL:  password authentication failed for user "threadline"'), 'error');
    assert.equal(pgLogLevel('2026-12-05 14:35:45.185 UTC [1] LOG:  database system is ready to accept connections'), 'info');
  });

  it('does not call the refusals of a server that is starting or stopping errors (readiness probes, Ctrl-C)', () => {
    assert.equal(pgLogLevel('2026-12-05 14:39:54.983 UTC [4769] FATAL:  the database system is starting up'), 'debug');
    assert.equal(pgLogLevel('2026-12-05 14:39:54.983 UTC [4769] FATAL:  the database system is shutting down'), 'debug');
    assert.equal(pgLogLevel('2026-12-05 14:39:54.983 UTC [4769] FATAL:  the database system is not yet accepting connections'), 'debug');
  });
});
