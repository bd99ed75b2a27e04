import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';

import Fastify, { type FastifyBaseLogger } from 'fastify';
import pino from 'pino';

import { LazyRequestLogger, lazyChildLoggerFactory } from './request-logger.js';

/** A pino logger writing JSON lines into `lines`, counting the children it makes. */
function recordingLogger(): { logger: FastifyBaseLogger; lines: Array<Record<string, unknown>>; children: () => number } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>); // pino writes JSON lines
      done();
    },
  });
  const logger = pino({ level: 'info', redact: { paths: ['*.password'], censor: '[redacted]' } }, stream);
  let made = 0;
  const child = logger.child.bind(logger);
  const counting = Object.assign(Object.create(logger) as typeof logger, {
    child: (...args: Parameters<typeof child>) => {
      made += 1;
      return child(...args);
    },
  });
  return { logger: counting, lines, children: () => made };
}

describe('LazyRequestLogger', () => {
  it('makes the pino child on the first log call only, bound as Fastify binds it, redaction and formatting kept', () => {
    const { logger, lines, children } = recordingLogger();
    const lazy = new LazyRequestLogger(logger, { reqId: 'req-7' }, {});
    assert.equal(lazy.level, 'info');
    assert.equal(lazy.isMade, false, 'reading the level needs no child');
    lazy.debug('below the level');
    lazy.warn({ user: { password: 'hunter2' }, code: 'X' }, 'refused %s', 'twice');
    lazy.info('plain message');
    assert.equal(children(), 1);
    assert.equal(lines.length, 2);
    assert.deepEqual([lines[0]?.reqId, lines[0]?.msg, lines[0]?.code, lines[0]?.user], ['req-7', 'refused twice', 'X', { password: '[redacted]' }]);
    assert.deepEqual([lines[1]?.reqId, lines[1]?.msg, lines[1]?.level], ['req-7', 'plain message', 30]);
  });

  it('as the API\'s child logger factory: a request that logs nothing never makes its child; one that logs carries its request id', async () => {
    const { logger, lines } = recordingLogger();
    const app = Fastify({ loggerInstance: logger, disableRequestLogging: true, childLoggerFactory: lazyChildLoggerFactory });
    const seen = new Map<string, FastifyBaseLogger>();
    app.get('/quiet', async (request) => {
      seen.set(request.id, request.log);
      return { ok: true };
    });
    app.get('/noisy', async (request) => {
      seen.set(request.id, request.log);
      request.log.warn({ what: 'noisy' }, 'logged');
      return { ok: true };
    });
    try {
      for (let i = 0; i < 3; i += 1) assert.equal((await app.inject({ method: 'GET', url: '/quiet' })).statusCode, 200);
      const noisy = await app.inject({ method: 'GET', url: '/noisy' });
      assert.equal(noisy.statusCode, 200);
      const loggers = [...seen.values()];
      assert.equal(loggers.length, 4);
      assert.deepEqual(loggers.map((log) => log instanceof LazyRequestLogger && log.isMade), [false, false, false, true]);
      const line = lines.find((entry) => entry.what === 'noisy');
      assert.ok(line, 'the warning was written');
      assert.equal(line.reqId, [...seen.keys()][3]);
      assert.equal(line.msg, 'logged');
    } finally {
      await app.close();
    }
  });
});
