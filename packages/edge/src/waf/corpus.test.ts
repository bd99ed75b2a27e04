import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { loadEdgeConfig } from '../config.js';
import { loadCorpus } from '../corpus/corpus.js';
import { formatRates, replayCorpus, type ReplayResponse } from '../corpus/replay.js';
import { buildWafTestApp } from '../testing/stub-app.js';

/** Goals from issue 9: at least 95 % of attacks blocked, under 1 % of legitimate requests. */
const MIN_ATTACK_RATE = 0.95;
const MAX_FALSE_POSITIVE_RATE = 0.01;

const reachedApp = (response: ReplayResponse): boolean => response.headers['x-reached'] === 'app';

describe('in-process WAF against the corpora over real HTTP', () => {
  let port = 0;
  let close: () => Promise<void> = async () => undefined;
  before(async () => {
    const { app } = await buildWafTestApp(loadEdgeConfig({}).waf);
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port; // listen() on a TCP host always yields AddressInfo
    close = () => app.close();
  });
  after(() => close());

  it('has a few hundred requests of each kind', () => {
    assert.ok(loadCorpus('attack').length >= 300);
    assert.ok(loadCorpus('legit').length >= 300);
  });

  it(`blocks at least ${MIN_ATTACK_RATE * 100} % of the attack corpus`, async () => {
    const rates = await replayCorpus({ host: '127.0.0.1', port }, loadCorpus('attack'), (response) => !reachedApp(response));
    console.log(formatRates('in-process WAF', 'attack', rates));
    if (rates.misses.length > 0) console.log(`  let through: ${rates.misses.join(', ')}`);
    assert.ok(rates.rate >= MIN_ATTACK_RATE, `only ${(rates.rate * 100).toFixed(1)} % blocked`);
  });

  it(`blocks under ${MAX_FALSE_POSITIVE_RATE * 100} % of legitimate shop traffic`, async () => {
    const rates = await replayCorpus({ host: '127.0.0.1', port }, loadCorpus('legit'), (response) => !reachedApp(response));
    console.log(formatRates('in-process WAF', 'legit', rates));
    if (rates.misses.length > 0) console.log(`  wrongly blocked: ${rates.misses.join(', ')}`);
    assert.ok(rates.rate < MAX_FALSE_POSITIVE_RATE, `${(rates.rate * 100).toFixed(1)} % of legitimate requests blocked`);
  });
});
