import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatCsv } from './output.js';

describe('formatCsv', () => {
  it('neutralises cells a spreadsheet would run as formulas (OWASP CSV injection)', () => {
    const rows = [
      { name: '=HYPERLINK("http://evil.example","x")', note: '+1+2' },
      { name: '-2+3', note: '@SUM(A1)' },
      { name: '\t=1', note: '\r=1' },
      { name: '＝1+1', note: 'plain, with comma' },
    ];
    assert.equal(
      formatCsv(rows),
      ['name,note', '"\'=HYPERLINK(""http://evil.example"",""x"")",\'+1+2', "'-2+3,'@SUM(A1)", "'\t=1,\"'\r=1\"", "'＝1+1,\"plain, with comma\""].join('\n'),
    );
  });

  it('keeps numbers, dates and nested values readable', () => {
    const text = formatCsv([{ amount: -1250, at: new Date('2026-12-01T10:00:00Z'), tags: ['a', 'b'], none: null }]);
    assert.equal(text, 'amount,at,tags,none\n-1250,2026-12-01T10:00:00.000Z,"[""a"",""b""]",');
  });
});
