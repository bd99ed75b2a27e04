/**
 * nginx throughput with and without ModSecurity + CRS (issue 16): the same deploy/nginx config,
 * the same stub tiers behind it, once with `modsecurity on` (PL1, the shop's tuning) and once
 * with it off. autocannon drives keep-alive HTTPS connections over a mix of shop requests: a
 * product search, a product page via the web tier, an API product read and a review POST.
 * Run on an idle machine: `npm run bench -- nginx-throughput` (NGINX_BENCH_SECONDS, _CONNECTIONS).
 */
import { createRequire } from 'node:module';

import { hasNginxWithModSecurity } from '@threadline/edge';
import { startLoopbackNginx } from '../packages/edge/src/testing/loopback-nginx.js';

import { writeBenchResult, type BenchFigures } from './lib/results.js';

const SECONDS = Number(process.env.NGINX_BENCH_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.NGINX_BENCH_CONNECTIONS ?? 32);

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  non2xx: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

function loadAutocannon(): Autocannon {
  const loaded: unknown = createRequire(import.meta.url)('autocannon');
  if (typeof loaded !== 'function') throw new Error('autocannon did not export a function');
  return loaded as Autocannon; // checked callable above; without a callback it returns a promise (README)
}

const REVIEW = JSON.stringify({ rating: 5, title: "Fits true to size", body: "I'm 5'9\" and the M is perfect — select a size up for the drop-shoulder look." });
const REQUESTS = [
  { method: 'GET', path: '/api/products?q=union%20jack%20t-shirt&page=1' },
  { method: 'GET', path: '/products/crew-neck-tee-organic' },
  { method: 'GET', path: '/api/products/1234' },
  { method: 'POST', path: '/api/products/1234/reviews', headers: { 'content-type': 'application/json' }, body: REVIEW },
];

if (!hasNginxWithModSecurity()) {
  console.error('nginx with ModSecurity not installed: apt-get install nginx libnginx-mod-http-modsecurity modsecurity-crs');
  process.exit(1);
}

const autocannon = loadAutocannon();
const results: BenchFigures[] = [];
for (const isModSecurityOn of [true, false]) {
  const edge = await startLoopbackNginx({
    isModSecurityOn,
    // one client address: the per-IP limits would measure limit_req, not the WAF
    apiRate: '1000000r/s',
    apiBurst: 1_000_000,
  });
  const result = await autocannon({
    url: `https://127.0.0.1:${edge.httpsPort}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { host: 'localhost' },
    tlsOptions: { ca: edge.target.ca, servername: 'localhost' },
    requests: REQUESTS,
  });
  const name = `nginx-modsecurity-${isModSecurityOn ? 'on' : 'off'}`;
  console.log(`${name}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, errors ${result.errors}, non-2xx ${result.non2xx}`);
  results.push({ name, requestsPerSecond: Math.round(result.requests.average), p50Ms: result.latency.p50, p99Ms: result.latency.p99, requests: result.requests.total, errors: result.errors, non2xx: result.non2xx, connections: CONNECTIONS, durationS: SECONDS });
  await edge.close();
}

writeBenchResult('nginx-throughput', { 'nginx-modsecurity-on.non2xx': '0' }, results);
