import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { detectSqlInjection, tokenizeSql } from './sql-tokenizer.js';

describe('SQL tokenizer', () => {
  it('reads strings, numbers, variables, words, calls, operators and comments', () => {
    const types = tokenizeSql("1 or @@version like 'x' -- rest").map((token) => token.type).join(' ');
    assert.equal(types, 'n & v c s C');
    assert.deepEqual(tokenizeSql("abc' or 1=1", "'").map((token) => token.type), ['s', '&', 'n', 'c', 'n']);
    assert.deepEqual(tokenizeSql('sleep(5)').map((token) => token.type), ['f', '(', 'n', ')']);
  });

  it('returns no tokens for a quoted reading when the value has no such quote', () => {
    assert.deepEqual(tokenizeSql('plain text', "'"), []);
  });
});

describe('SQL injection by token grammar', () => {
  // forms none of the hand-written signatures named: arithmetic tautologies, concatenated
  // sub-selects, comparison words before a sub-select, boolean function arguments
  const ATTACKS = [
    '1 or 3-2=1',
    "'||(select password from users limit 1)||'",
    '1 rlike (select 1)',
    "x' or 'b'>'a",
    '" or ""="',
    "') or ('k'='k",
    '1) or (2>1',
    'elt(4=4,sleep(5))',
    'iif(7=7,1,1/0)',
    '(5=5)*9',
    "admin'--",
    "1' union all select null--",
    '1; drop table orders',
    "x'; exec master..xp_cmdshell 'dir'--",
    'declare @q varchar(99)',
    "' or isnull(1/0) /*",
  ];
  const PROSE = [
    'red and white',
    'black or navy/white',
    'black or 3/4 sleeves',
    'select fit jeans',
    'union jack t-shirt',
    "i'm 5'9\" and the m is perfect",
    "pair it with the 'drop' earrings",
    'my husband said "select * from compliments" when he saw it',
    'size 10 or 12',
    "o'neill or 'smith' — either is fine",
    'is it me or does 1=1 on the back look like a maths joke',
    'price < 20 and > 10',
    'not bad — not great. colour = as pictured; stitching so-so.',
    "don't drop it in the dryer; select a cool wash",
    'returned it :( the zip broke on day one',
  ];
  for (const attack of ATTACKS) it(`flags ${attack}`, () => assert.ok(detectSqlInjection(attack), attack));
  for (const text of PROSE) it(`passes ${text}`, () => assert.equal(detectSqlInjection(text), undefined));
});
