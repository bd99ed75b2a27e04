import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { closestWord, editDistance, searchWords, toPrefixTsQuery } from './search-text.js';

describe('search text', () => {
  it('keeps letters and digits only, lower-cased, without repeats', () => {
    assert.deepEqual(searchWords('Wool  JACKET, wool!'), ['wool', 'jacket']);
    assert.deepEqual(searchWords("jeans' | !cotton & (32)"), ['jeans', 'cotton', '32']);
    assert.deepEqual(searchWords('Crème brûlée'), ['crème', 'brûlée']);
    assert.deepEqual(searchWords(':* & | !'), []);
  });

  it('caps the number of words', () => {
    assert.equal(searchWords('a b c d e f g h i j k').length, 8);
  });

  it('builds an any-word prefix query', () => {
    assert.equal(toPrefixTsQuery(['wool', 'jack']), 'wool:* | jack:*');
  });

  it('counts a swap of neighbouring letters as one edit', () => {
    assert.equal(editDistance('slik', 'silk'), 1);
    assert.equal(editDistance('jakcet', 'jacket'), 1);
    assert.equal(editDistance('jackit', 'jacket'), 1);
    assert.equal(editDistance('wool', 'wool'), 0);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });

  it('picks the candidate with the fewest edits, within the allowance for the word length', () => {
    assert.equal(closestWord('oxfrod', ['offer', 'oxford']), 'oxford');
    assert.equal(closestWord('dres', ['dress', 'dressed']), 'dress');
    assert.equal(closestWord('cat', ['coat', 'cut']), 'coat', 'equal edits: the first listed (most similar) wins');
    assert.equal(closestWord('xyzzy', ['cozy', 'fuzzy']), undefined, 'two edits are too many for a five-letter word');
  });
});
