import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CsvRows } from './csv-rows.js';

describe('CSV rows of numbers, written into a buffer', () => {
  it('writes every number exactly as String() does, null as an empty field', () => {
    const values = [0, -0, 7, 9, 10, 99, 100, 99_999_999, 100_000_000, 100_000_001, 1_000_000_007, 123_456_789, 1e15 + 3, 1_741_600_500_001, 1_741_600_500_000, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 1e21, 12.5, -1, -1000, 0.1, Number.NaN, Number.POSITIVE_INFINITY, null];
    const rows = new CsvRows(64);
    const expected: string[] = [];
    for (const [index, value] of values.entries()) {
      rows.number(index);
      rows.number(value);
      rows.number(null);
      rows.number(value);
      rows.endRow();
      expected.push(`${index},${value ?? ''},,${value ?? ''}\n`);
    }
    assert.equal(rows.take().toString('latin1'), expected.join(''));
  });

  it('says when it is full, grows rather than overflows, and starts afresh after take', () => {
    const rows = new CsvRows(40);
    let full = false;
    let count = 0;
    while (!full) {
      for (let field = 0; field < 20; field += 1) rows.number(Number.MAX_SAFE_INTEGER);
      full = rows.endRow();
      count += 1;
    }
    assert.equal(count, 1); // one row of 20 large numbers is past 40 bytes
    const first = rows.take();
    assert.equal(first.toString('latin1'), `${Array.from({ length: 20 }, () => String(Number.MAX_SAFE_INTEGER)).join(',')}\n`);
    rows.number(5);
    assert.equal(rows.endRow(), false);
    assert.equal(rows.take().toString('latin1'), '5\n');
    // the rows taken first are untouched by what was written after
    assert.ok(first.toString('latin1').startsWith('9007199254740991,'));
  });
});
