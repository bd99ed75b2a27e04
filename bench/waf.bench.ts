/**
 * WAF benchmark (issues 9 and 16): replays the HELD-OUT test set (packages/edge/corpus/test —
 * the rules were written against corpus/train and never saw it) through both layers and records
 * detection per attack class, false positives per kind of shop request, 5xx answers, and the
 * in-process WAF's inspection cost per request (p50/p99, cold and warm).
 *
 * - in-process: a Fastify app with the WAF plugin, over real HTTP on loopback
 * - nginx: Debian nginx + ModSecurity v3 + OWASP CRS 3.3 with deploy/nginx, PL1 (tuned) and PL2
 *   for comparison, over HTTPS on loopback
 *
 * Goals: ≥ 95 % of attacks blocked, < 1 % of legitimate requests blocked, per layer.
 */
import type { AddressInfo } from 'node:net';

import { loadEdgeConfig } from '@threadline/config';
import { formatRates, hasNginxWithModSecurity, inspectRequest, loadCorpus, replayCorpus, type CorpusRates } from '@threadline/edge';
import { startLoopbackNginx } from '../packages/edge/src/testing/loopback-nginx.js';
import { buildWafTestApp } from '../packages/edge/src/testing/stub-app.js';

import { writeBenchResult, type BenchFigures } from './lib/results.js';

const attacks = loadCorpus('attack', { split: 'test' });
const legit = loadCorpus('legit', { split: 'test' });
const settings = loadEdgeConfig({}).waf;
const results: BenchFigures[] = [];

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Number(((part / whole) * 100).toFixed(2));
}

function figures(name: string, attack: CorpusRates, good: CorpusRates, serverErrors: number): BenchFigures {
  console.log(formatRates(name, 'attack', attack));
  console.log(formatRates(name, 'legit', good));
  console.log(`${name}: 5xx answers ${serverErrors}`);
  return {
    serverErrors,
    detectionByClassPct: Object.fromEntries(Object.entries(attack.byCategory).map(([k, v]) => [k, percent(v.blocked, v.total)])),
    falsePositiveByKindPct: Object.fromEntries(Object.entries(good.byCategory).map(([k, v]) => [k, percent(v.blocked, v.total)])),
    name,
    attackRequests: attack.total,
    attacksBlocked: attack.blocked,
    detectionRatePct: Number((attack.rate * 100).toFixed(2)),
    legitRequests: good.total,
    legitBlocked: good.blocked,
    falsePositiveRatePct: Number((good.rate * 100).toFixed(2)),
    byCategory: Object.fromEntries(Object.entries({ ...attack.byCategory, ...Object.fromEntries(Object.entries(good.byCategory).map(([k, v]) => [`legit:${k}`, v])) }).map(([k, v]) => [k, `${v.blocked}/${v.total}`])),
    // ids only: the held-out requests themselves are not for tuning
    missedAttackCount: attack.misses.length,
    blockedLegitCount: good.misses.length,
  };
}

// 1. cost of inspection alone (pure function, every test-set request timed on its own)
{
  const all = [...attacks, ...legit].map((request) => {
    const type = request.headers['content-type']?.split(';')[0];
    return {
      method: request.method,
      url: request.url,
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body ?? '')) },
      body: request.body !== undefined && type === 'application/json' ? (JSON.parse(request.body) as unknown) : type === 'multipart/form-data' ? Buffer.from(request.body ?? '') : request.body,
    };
  });
  const rounds = Number(process.env.BENCH_WAF_ROUNDS ?? 20);
  // cold: every value normalised and matched; warm: repeated values (user agents, cookies,
  // referers, common searches) answered from the value cache, as in steady traffic
  for (const isCached of [false, true]) {
    if (isCached) for (const request of all) inspectRequest(request, settings);
    const samples = new Float64Array(all.length * rounds);
    let sample = 0;
    for (let round = 0; round < rounds; round += 1) {
      for (const request of all) {
        const started = process.hrtime.bigint();
        inspectRequest(request, settings, { isCached });
        samples[sample] = Number(process.hrtime.bigint() - started) / 1e3;
        sample += 1;
      }
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const at = (q: number): number => Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1));
    const mean = Number((sorted.reduce((sum, value) => sum + value, 0) / sorted.length).toFixed(1));
    console.log(`inspectRequest ${isCached ? 'warm' : 'cold'}: mean ${mean} µs, p50 ${at(0.5)} µs, p99 ${at(0.99)} µs, max ${at(1)} µs per request (one core)`);
    results.push({ name: `in-process-inspect-cost-${isCached ? 'warm' : 'cold'}`, meanMicros: mean, p50Micros: at(0.5), p99Micros: at(0.99), maxMicros: at(1), samples: sorted.length });
  }
}

// 2. in-process WAF over HTTP
{
  const { app } = await buildWafTestApp(settings);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port; // TCP listener: always AddressInfo
  let serverErrors = 0;
  const blocked = (response: { status: number; headers: Record<string, unknown> }): boolean => {
    if (response.status >= 500) serverErrors += 1;
    return response.headers['x-reached'] !== 'app';
  };
  const attack = await replayCorpus({ host: '127.0.0.1', port }, attacks, blocked);
  const good = await replayCorpus({ host: '127.0.0.1', port }, legit, blocked);
  results.push(figures('in-process-waf', attack, good, serverErrors));
  await app.close();
}

// 3. nginx + ModSecurity + CRS (PL1 tuned, PL2 for comparison)
if (hasNginxWithModSecurity()) {
  for (const paranoia of [1, 2]) {
    const edge = await startLoopbackNginx({
      paranoia,
      apiRate: '5000r/s',
      // the corpus replays ~300 sign-ins from one address: the login limit would answer 429
      loginRate: '100r/s',
      loginBurst: 1000,
    });
    const { target } = edge;
    let serverErrors = 0;
    const blocked = (response: { status: number; headers: Record<string, unknown> }): boolean => {
      if (response.status >= 500) serverErrors += 1;
      return response.headers['x-reached'] === undefined && response.status >= 400;
    };
    const started = Date.now();
    const attack = await replayCorpus(target, attacks, blocked, 4);
    const good = await replayCorpus(target, legit, blocked, 4);
    const seconds = (Date.now() - started) / 1000;
    results.push({ ...figures(`nginx-modsecurity-crs-pl${paranoia}-tuned`, attack, good, serverErrors), replayRequestsPerSecond: Math.round((attacks.length + legit.length) / seconds) });
    await edge.close();
  }
} else {
  console.error('nginx with ModSecurity not installed: apt-get install nginx libnginx-mod-http-modsecurity modsecurity-crs');
  process.exitCode = 1;
}

writeBenchResult(
  'waf',
  {
    'in-process-waf.detectionRatePct': '>= 95',
    'in-process-waf.falsePositiveRatePct': '< 1',
    'in-process-waf.serverErrors': '0',
    'in-process-inspect-cost-cold.p99Micros': '< 500',
    'nginx-modsecurity-crs-pl1-tuned.detectionRatePct': '>= 95',
    'nginx-modsecurity-crs-pl1-tuned.falsePositiveRatePct': '< 1',
  },
  results,
);
