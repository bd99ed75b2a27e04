import { Writable } from 'node:stream';

import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino from 'pino';

import type { WafSettings } from '../config.js';
import { CORPUS_ROLE_HEADER } from '../corpus/corpus.js';
import { wafPlugin, type WafRouteExclusion } from '../waf/waf.plugin.js';

/**
 * The API's admin SQL console exclusion (apps/api/src/query/query.waf.ts), with the caller's role
 * taken from the corpus header `x-corpus-role` instead of a session (this app has no database).
 */
export const STUB_ADMIN_SQL_EXCLUSION: WafRouteExclusion = {
  id: 'tl-1001-admin-sql-console',
  method: 'POST',
  route: '/api/admin/query',
  field: 'sql',
  categories: ['sqli'],
  isAllowed: (request) => request.headers[CORPUS_ROLE_HEADER] === 'admin',
};

/** Log lines a test app wrote, parsed. */
export type LogLines = Array<Record<string, unknown>>;

/**
 * A Fastify app with the WAF in front of a catch-all handler that marks answers with
 * `x-reached: app`: a request without that header never reached application code. Parses JSON,
 * forms and text like the tiers do. For the WAF's own tests and the corpus replay.
 */
export async function buildWafTestApp(settings: WafSettings): Promise<{ app: FastifyInstance; logs: LogLines }> {
  const logs: LogLines = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        const parsed: unknown = JSON.parse(line);
        if (typeof parsed === 'object' && parsed !== null) logs.push({ ...parsed });
      }
      done();
    },
  });
  const loggerInstance: FastifyBaseLogger = pino({ level: 'info' }, sink);
  const app = Fastify({ loggerInstance, bodyLimit: 1024 * 1024 });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.addContentTypeParser(['application/csp-report', 'application/reports+json'], { parseAs: 'string' }, (_request, body, done) => done(null, body));
  // multipart bodies reach the routes as streams (uploads are validated there), never as text
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  await app.register(wafPlugin, { settings, inspectBody: true, exclusions: [STUB_ADMIN_SQL_EXCLUSION] });
  app.post('/api/admin/query', async (_request, reply) => reply.header('x-reached', 'app').send({ ok: true }));
  app.all('/*', async (_request, reply) => reply.header('x-reached', 'app').send({ ok: true }));
  app.all('/', async (_request, reply) => reply.header('x-reached', 'app').send({ ok: true }));
  return { app, logs };
}
