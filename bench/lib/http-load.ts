/**
 * A typed wrapper around autocannon (which ships no types) that reports req/s, p50/p95/p99 and
 * errors. autocannon's own summary has p90 and p97.5 but no p95, so latencies are collected from
 * its `response` events and the percentiles computed here.
 */
import { createRequire } from 'node:module';

export interface LoadRequest {
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  /** requests cycled through by each connection; default: GET `url` */
  requests?: LoadRequest[];
}

export interface LoadFigures {
  reqPerSec: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  requests: number;
  errors: number;
  non2xx: number;
  timeouts: number;
  connections: number;
  durationS: number;
}

interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}

interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
  on(event: 'done', listener: (result: AutocannonResult) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
}

type Autocannon = (options: Record<string, unknown>) => AutocannonInstance;

function loadAutocannon(): Autocannon {
  const loaded: unknown = createRequire(import.meta.url)('autocannon');
  if (typeof loaded !== 'function') throw new Error('autocannon did not export a function');
  return loaded as Autocannon; // checked callable above; its option/result shapes are declared above from its README
}

/** The q-quantile (0..1) of sorted values, nearest-rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? 0;
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

/** Runs one autocannon measurement and returns its figures. */
export async function measure(options: LoadOptions): Promise<LoadFigures> {
  const autocannon = loadAutocannon();
  const latencies: number[] = [];
  let ok = 0;
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    ...(options.requests ? { requests: options.requests } : {}),
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    latencies.push(responseTime);
    if (statusCode >= 200 && statusCode < 300) ok += 1;
  });
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    instance.on('done', resolve);
    instance.on('error', reject);
  });
  latencies.sort((a, b) => a - b);
  return {
    reqPerSec: round(ok / result.duration, 1),
    p50Ms: round(quantile(latencies, 0.5)),
    p95Ms: round(quantile(latencies, 0.95)),
    p99Ms: round(quantile(latencies, 0.99)),
    maxMs: round(latencies[latencies.length - 1] ?? 0),
    requests: latencies.length,
    errors: result.errors,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
    connections: options.connections,
    durationS: round(result.duration, 1),
  };
}
