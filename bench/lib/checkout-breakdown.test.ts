import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseProcStat, treeCpuMs } from './checkout-breakdown.js';

describe('parseProcStat', () => {
  it('reads pid, parent and user + system time (own and reaped children) of a /proc stat line', () => {
    const line = '4242 (postgres) S 4200 4242 4242 0 -1 4194560 1200 0 0 0 150 30 7 3 20 0 1 0 900 1000 200';
    assert.deepEqual(parseProcStat(line), { pid: 4242, ppid: 4200, ticks: 150 + 30 + 7 + 3 });
  });

  it('counts fields from the last parenthesis, so a command name with spaces and parentheses does not shift them', () => {
    const line = '77 (node (api) worker) R 1 77 77 0 -1 0 0 0 0 0 10 20 0 0 20 0 1 0 5 6 7';
    assert.deepEqual(parseProcStat(line), { pid: 77, ppid: 1, ticks: 30 });
  });

  it('answers null for a line that is not a stat line', () => {
    assert.equal(parseProcStat('not a stat line'), null);
  });
});

describe('treeCpuMs', () => {
  it('reports this process using CPU, and zero for a process that does not exist', () => {
    // burn a little CPU so that at least one clock tick is recorded
    const until = Date.now() + 60;
    let spin = 0;
    while (Date.now() < until) spin += 1;
    assert.ok(spin > 0);
    const cpu = treeCpuMs({ self: process.pid, missing: 2 ** 22 + 1 });
    assert.ok((cpu.self ?? 0) > 0, `self used ${cpu.self} ms`);
    assert.equal(cpu.missing, 0);
  });
});
