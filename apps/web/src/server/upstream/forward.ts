import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { Upstream, UpstreamPool } from './upstream-pool.js';

/** Bodies up to this size are held in memory so a request can be replayed on another replica. */
export const REPLAYABLE_BODY_BYTES = 1024 * 1024;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

/**
 * May this request be sent again to another replica after it may have reached the first one?
 * GET/HEAD/OPTIONS by definition; a POST/PUT/PATCH/DELETE only with an Idempotency-Key (the API
 * answers a replay with the first result, so the order or payment is made once).
 */
export function isIdempotent(method: string, headers: IncomingHttpHeaders): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return true;
  const key = headers['idempotency-key'];
  return typeof key === 'string' && key.length > 0;
}

/** Errors where the request never reached the replica (nothing to undo): safe to resend any request. */
function isNotDelivered(error: unknown): boolean {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  return code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'EHOSTUNREACH' || code === 'ENOTFOUND';
}

async function readBody(stream: Readable, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    // a Readable of the raw request yields Buffers
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export interface ForwardOptions {
  upstream: UpstreamPool;
  prefixes: readonly string[];
  /** Extra headers for the replica (client address, scheme). */
  extraHeaders: (request: FastifyRequest) => Record<string, string>;
  timeoutMs?: number;
}

function unavailable(reply: FastifyReply): FastifyReply {
  return reply.status(502).send({ error: { code: 'SERVICE_UNAVAILABLE', message: 'the application tier is not reachable' } });
}

/**
 * Forwards every request under `prefixes` to an API replica, streaming the answer. A request that
 * fails before an answer arrives — refused connection, reset, timeout, or a 502/503 from a replica
 * going away — is sent to another replica when that is safe: always if it never reached the first
 * one, and after that only for idempotent requests (see isIdempotent). Bodies over 1 MiB stream
 * through and are not replayed.
 */
export async function registerForwarding(app: FastifyInstance, options: ForwardOptions): Promise<void> {
  await app.register(async (scoped) => {
    // the body goes to the replica as it came: no parsing here
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    const timeoutMs = options.timeoutMs ?? 30_000;

    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(request.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      Object.assign(headers, options.extraHeaders(request));
      const length = Number(request.headers['content-length']);
      // the parser above hands the raw request stream through as the body
      const raw = request.body as Readable | undefined;
      let body: Buffer | Readable | undefined;
      if (raw && Number.isFinite(length) && length <= REPLAYABLE_BODY_BYTES) body = await readBody(raw, REPLAYABLE_BODY_BYTES);
      else body = raw;
      const isReplayable = body === undefined || Buffer.isBuffer(body);
      const mayResend = isReplayable && isIdempotent(request.method, request.headers);
      const tried = new Set<Upstream>();
      for (let target = options.upstream.pick(tried); target; target = options.upstream.pick(tried)) {
        tried.add(target);
        const hasAlternative = tried.size < options.upstream.upstreams.length;
        try {
          const response = await target.dispatcher.request({
            method: request.method as 'GET', // Fastify only routes methods undici accepts
            path: request.url,
            headers,
            body: body ?? null,
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
          });
          if ((response.statusCode === 502 || response.statusCode === 503) && mayResend && hasAlternative && request.url !== '/readyz') {
            await response.body.dump();
            options.upstream.reportFailure(target, `answered ${response.statusCode}`);
            continue;
          }
          reply.status(response.statusCode);
          for (const [name, value] of Object.entries(response.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) reply.header(name, value);
          return reply.send(response.body);
        } catch (error) {
          options.upstream.reportFailure(target, error instanceof Error ? error.message : String(error));
          if (hasAlternative && ((isReplayable && isNotDelivered(error)) || mayResend)) continue;
          request.log.warn({ err: error, upstream: target.url }, 'API tier unreachable');
          return unavailable(reply);
        }
      }
      return unavailable(reply);
    };

    for (const prefix of options.prefixes) {
      scoped.all(prefix, handler);
      scoped.all(`${prefix}/*`, handler);
    }
  });
}
