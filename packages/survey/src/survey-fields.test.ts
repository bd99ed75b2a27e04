import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { mapAgeBand, mapChannel, mapGender, mapRegion } from './survey-fields.js';

describe('survey answer mapping', () => {
  it('gives the same answer the second time a label is seen (remembered answers, misses included)', () => {
    const cases: Array<[(text: string) => string | null, string, string | null]> = [
      [mapChannel, 'Saw it on a bus', 'transit'],
      [mapChannel, 'Telepathy', null],
      [mapChannel, '인스타그램', 'social_media'],
      [mapGender, 'Prefer not to say', 'undisclosed'],
      [mapGender, 'ancient', null],
      [mapRegion, 'ＵＳＡ', 'north_america'],
      [mapRegion, 'Atlantis', null],
      [mapAgeBand, '29세', '25-34'],
      [mapAgeBand, '17', null],
      [mapAgeBand, '65세 이상', '65+'],
    ];
    for (let round = 0; round < 3; round += 1) {
      for (const [map, label, expected] of cases) assert.equal(map(label), expected, `${label} (round ${round + 1})`);
    }
  });

  it('keeps answering correctly past the size of its memory', () => {
    for (let age = 0; age < 12_000; age += 1) mapAgeBand(`${age % 200} years ${age}`);
    for (let age = 18; age <= 120; age += 1) assert.equal(mapAgeBand(String(age)) !== null, true, String(age));
    assert.equal(mapAgeBand('44'), '35-44');
    assert.equal(mapAgeBand('121'), null);
  });
});
