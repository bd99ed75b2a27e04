import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';

import { Collector, EventTexts, type CollectFacts, type CollectResult, KinesisSink, RateLimiter, SpoolWriter, clickstreamSettings, retryAfterOf, type StreamSink } from '@threadline/clickstream';
import { isFromTier } from '@threadline/edge';
import { isLakeError } from '@threadline/lake';

import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { AppError } from '../errors.js';
import { registerAccessLog } from './access-log.js';
import type { BatchOutcome, BatchWorkSettings } from './batch-work.js';
import { CollectWorkers } from './collect-workers.js';
import { parseBatch } from './parse-batch.js';

const ACCEPTED = Type.Object({
  accepted: Type.Integer({ description: 'events acknowledged (durable), including duplicates of already collected ids' }),
  duplicates: Type.Integer({ description: 'accepted events whose id was already collected (stored once)' }),
  rejected: Type.Array(Type.Object({ index: Type.Integer(), id: Type.Optional(Type.String()), reason: Type.String() })),
});

declare module 'fastify' {
  interface FastifyInstance {
    /** The `/collect` worker threads when there are some (THREADLINE_COLLECT_WORKERS): tests wait for them to be ready. */
    collectWorkers: CollectWorkers | undefined;
  }
}

const CONTENT_TYPES = ['application/json', 'text/plain', 'application/x-ndjson', 'application/ndjson'];

/**
 * `POST /collect`: the clickstream collector (the Kinesis PutRecords of the customer's design).
 * Outside `/api`, so no CSRF token: beacons are fire-and-forget and carry no authority beyond
 * their own events. 202 only after the accepted events are durable (spool fsync or Kinesis).
 */
export async function collectRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  const settings = clickstreamSettings(context.config);
  let sink: StreamSink;
  let spool: SpoolWriter | undefined;
  if (settings.stream === 'kinesis' && settings.kinesisStream) {
    sink = new KinesisSink({ streamName: settings.kinesisStream, clientConfig: settings.kinesisEndpoint ? { endpoint: settings.kinesisEndpoint } : {} });
  } else {
    spool = new SpoolWriter({ dir: settings.spoolDir, maxSpoolBytes: settings.maxSpoolBytes });
    const recovered = await spool.start();
    if (recovered.sealed > 0) context.logger.info(recovered, 'spool: recovered segments of a previous process');
    sink = { kind: 'spool', append: (payload) => spool?.append(payload) ?? Promise.reject(new Error('spool closed')) };
  }
  const spoolWriter = spool;
  context.readinessChecks.push({
    name: 'clickstream-spool',
    check: async () => {
      const failure = await spoolWriter?.health();
      if (failure) throw new Error(failure.message);
    },
  });
  const collector = new Collector({
    sink,
    deadLetterDir: settings.deadLetterDir,
    limits: { maxAgeMs: settings.maxAgeMs, maxFutureMs: settings.maxFutureMs },
    pseudonymKey: context.secrets.pseudonymKey,
    onDeadLetterError: (error) => context.logger.warn({ err: error }, 'collect: cannot write dead letters'),
  });
  const limiter = new RateLimiter(settings.ratePerSecond, settings.rateBurst);

  context.serverEvents?.attach(collector);
  const accessLog = registerAccessLog(app, collector, context);
  const edge = context.edge ?? context.config.edge;
  const trustedProxies = edge.trustedProxies;
  const workSettings: BatchWorkSettings = {
    limits: { maxAgeMs: settings.maxAgeMs, maxFutureMs: settings.maxFutureMs },
    pseudonymKey: context.secrets.pseudonymKey,
    maxEventsPerBatch: settings.maxEventsPerBatch,
    waf: edge.waf,
  };
  const workers = settings.workers > 0 ? new CollectWorkers({ count: settings.workers, settings: workSettings, onWorkerError: (error) => context.logger.error({ err: error }, 'collect: a worker thread failed') }) : undefined;
  app.decorate('collectWorkers', workers);

  await app.register(async (scoped) => {
    // /collect parses its own bodies: JSON, beacon text/plain and NDJSON, under its own size limit
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser(CONTENT_TYPES, { parseAs: 'buffer', bodyLimit: settings.maxBatchBytes }, (_request, body: Buffer, done) => done(null, body));

    // the web tier's own access log posts directly from a trusted peer with no proxy header;
    // browsers never qualify (they come through the web tier, which adds X-Forwarded-For)
    const fromTier = (request: FastifyRequest): boolean => isFromTier({ peer: request.socket.remoteAddress, headers: request.headers, trustedProxies });

    const factsOf = (request: FastifyRequest, isTier: boolean): CollectFacts => ({
      receivedAt: Date.now(),
      userAgent: request.headers['user-agent'],
      ip: request.ip,
      // the user comes from the server-side session only; a userId in the event is ignored
      ...(request.session?.user ? { sessionUserId: String(request.session.user.id) } : {}),
      // server-only event types (access_log) only from a tier itself
      isFromTier: isTier,
    });

    /**
     * The per-client event rate. Not for a tier's own batches: the web tier's access log carries
     * one event per page request of every visitor at once (thousands a second at peak), and a
     * refused batch was dropped, so visits went missing from the peak-hour analysis (5.1).
     * Visitors are limited where they come in (the edge's per-IP request limits).
     */
    const takeRate = (request: FastifyRequest, events: number, isTier: boolean): void => {
      if (isTier) return;
      const wait = limiter.take(request.ip, Math.max(1, events));
      if (wait > 0) {
        throw new AppError('RATE_LIMITED', `too many events from this client; retry in ${wait} s`, undefined, { headers: { 'retry-after': String(wait) } });
      }
    };

    /** Parses, inspects (WAF), rate-limits and validates a batch in this thread; the promise settles once it is durable. */
    const collectHere = (request: FastifyRequest, body: Buffer, contentType: string, isTier: boolean): Promise<CollectResult> => {
      const entries = parseBatch(body, contentType, settings.maxEventsPerBatch);
      // the WAF skips bodies a route parses itself: it sees the events' free-text fields here
      const texts = new EventTexts();
      entries.forEach((entry, index) => {
        if ('raw' in entry) texts.add(entry.raw, index);
      });
      if (app.wafInspectFields(request, texts)) {
        // as the WAF answers elsewhere: the code and a reference, never the rule that matched
        throw new AppError('WAF_BLOCKED', `request blocked by the web application firewall (reference ${request.id})`, undefined, { headers: { 'cache-control': 'no-store' } });
      }
      takeRate(request, entries.length, isTier);
      return collector.collect(entries, factsOf(request, isTier));
    };

    /**
     * The same in a worker thread (collect-workers.ts): parse, WAF screen and validation there;
     * refusals, the rate limit, dedupe against recent ids and the durable append here. A body a
     * WAF rule matched, or one no worker could take, is worked on in this thread as above.
     */
    const collectBody = async (request: FastifyRequest): Promise<CollectResult> => {
      const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (!Buffer.isBuffer(request.body)) throw new AppError('VALIDATION_FAILED', 'request body is required', 'events');
      const body = request.body;
      // whether a tier itself sent the batch: read once, for its facts and for the rate
      const isTier = fromTier(request);
      let outcome: BatchOutcome | undefined;
      try {
        // a copy the worker owns: the request keeps its body for the fallbacks below
        outcome = await workers?.run({ body: new Uint8Array(body), contentType, facts: factsOf(request, isTier) });
      } catch (error) {
        request.log.warn({ err: error }, 'collect: worker failed on a body; working on it here');
        outcome = undefined;
      }
      if (outcome === undefined || outcome.kind === 'suspicious') return collectHere(request, body, contentType, isTier);
      if (outcome.kind === 'refused') throw new AppError(outcome.code, outcome.message, outcome.field);
      takeRate(request, outcome.events, isTier);
      return collector.commitPrepared(outcome.batch);
    };

    scoped.post(
      '/collect',
      {
        bodyLimit: settings.maxBatchBytes,
        // sendBeacon cannot set headers; events change no account state and carry no user id of their own
        // …and end no session, so the session cache is kept (auth/session-cache.ts), nor touch the catalogue
        config: { csrf: false, keepsSessions: true, leavesCatalog: true },
        schema: {
          summary: 'Collect a batch of clickstream events',
          description:
            'JSON `{ "events": [...] }` or NDJSON. Answers 202 once accepted events are durable; invalid events are rejected one by one with a reason. 413 over the size/count limit, 429 over the per-client rate, 503 (Retry-After) when the spool cannot keep data.',
          tags: ['clickstream'],
          response: { 202: ACCEPTED },
        },
      },
      async (request, reply) => {
        try {
          // parsing, WAF and validation run in one synchronous call that keeps nothing of the
          // parsed body: this frame holds only the promise while the spool syncs (collector.ts)
          const result = await collectBody(request);
          return reply.status(202).send(result);
        } catch (error) {
          if (isLakeError(error) && error.code === 'SPOOL_UNAVAILABLE') {
            const retryAfter = retryAfterOf(error);
            throw new AppError('SERVICE_UNAVAILABLE', `events not accepted: ${error.message}`, undefined, { cause: error, headers: { 'retry-after': String(retryAfter) } });
          }
          throw error;
        }
      },
    );
  });

  // Fastify runs onClose hooks after the server stopped taking requests (in-flight ones have
  // answered), last registered first: one hook keeps the order. The access log appends its last
  // events before the spool seals, or they would be dropped as "spool is closed".
  app.addHook('onClose', async () => {
    await workers?.close();
    await accessLog.close();
    await spoolWriter?.close();
  });
}
