import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { toCsv, type Column } from './DataTable.js';

interface Row {
  campaign: string;
  revenue: number;
}

const columns: ReadonlyArray<Column<Row>> = [
  { key: 'campaign', label: 'Campaign', value: (row) => row.campaign },
  { key: 'revenue', label: 'Revenue', value: (row) => row.revenue },
];

describe('dashboard CSV download', () => {
  it('neutralises campaign names and search terms that a spreadsheet would run as formulas', () => {
    const csv = toCsv<Row>(
      [
        { campaign: '=cmd|\' /C calc\'!A0', revenue: 10 },
        { campaign: '@SUM(1+1)', revenue: -5 },
        { campaign: 'summer-sale', revenue: 0 },
      ],
      columns,
    );
    assert.equal(csv, ["Campaign,Revenue", "'=cmd|' /C calc'!A0,10", "'@SUM(1+1),-5", 'summer-sale,0'].join('\r\n'));
  });
});
