import { Counter, Gauge, type Registry } from 'prom-client';

import type { CompressionMemo } from '../compression.js';
import type { UpstreamPool } from './upstream-pool.js';

/** `threadline_web_api_replicas{state="available"|"configured"}`: alert when rotation shrinks. */
export function registerUpstreamGauge(registry: Registry, upstream: UpstreamPool): void {
  new Gauge({
    name: 'threadline_web_api_replicas',
    help: 'API replicas behind the web tier: configured, and available (healthy, not ejected)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'configured' }, upstream.upstreams.length);
      this.set({ state: 'available' }, upstream.availableCount());
    },
  });
}

/**
 * `threadline_web_compression_memo_total{result="hit"|"miss"}`: answers whose compressed form was
 * reused (hit) or made (miss) by the web tier's CompressionMemo.
 */
export function registerCompressionMemoCounter(registry: Registry, memo: CompressionMemo): void {
  let reported = { hits: 0, misses: 0 };
  new Counter({
    name: 'threadline_web_compression_memo_total',
    help: 'Whole answers compressed by the web tier: compressed form reused from a byte-equal recent answer (hit) or made (miss)',
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      this.inc({ result: 'hit' }, memo.hits - reported.hits);
      this.inc({ result: 'miss' }, memo.misses - reported.misses);
      reported = { hits: memo.hits, misses: memo.misses };
    },
  });
}

/**
 * `threadline_web_fast_forward_total`: forwarded requests the fast path answered without Fastify's
 * routing and hooks (see createFastForward); the others took the full path.
 */
export function registerFastForwardCounter(registry: Registry, stats: { readonly taken: number }): void {
  let reported = 0;
  new Counter({
    name: 'threadline_web_fast_forward_total',
    help: 'Forwarded requests answered by the web tier fast path (plain GETs every edge rule lets through unchanged)',
    registers: [registry],
    collect() {
      this.inc(stats.taken - reported);
      reported = stats.taken;
    },
  });
}

/**
 * `threadline_web_revalidation_total{result}`: forwarded answers to requests the web tier asked
 * the API about with If-None-Match (see RevalidationStore) — `not_modified`: the API answered 304
 * and the kept body was sent; `modified`: the API sent a body.
 */
export function registerRevalidationCounter(registry: Registry, store: { readonly notModified: number; readonly modified: number }): void {
  let reported = { notModified: 0, modified: 0 };
  new Counter({
    name: 'threadline_web_revalidation_total',
    help: 'Forwarded requests the web tier revalidated with the API: not_modified (its kept body sent) or modified',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.inc({ result: 'not_modified' }, store.notModified - reported.notModified);
      this.inc({ result: 'modified' }, store.modified - reported.modified);
      reported = { notModified: store.notModified, modified: store.modified };
    },
  });
}
