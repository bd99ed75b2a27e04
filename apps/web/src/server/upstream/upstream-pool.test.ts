import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, mock } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { createLogger } from '@threadline/config';

import { UpstreamPool } from './upstream-pool.js';

async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port; // listening on TCP: an AddressInfo
}

describe('API replica health as the web tier logs it', () => {
  it('a replica still booting is no failure; one that answered and then stops is', async () => {
    // a port nobody listens on yet: the replica is still starting (npm start runs the tiers side by side)
    const probe = createServer();
    const port = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const logger = createLogger({ name: 'test', level: 'debug' });
    const info = mock.method(logger, 'info', () => undefined);
    mock.method(logger, 'debug', () => undefined);
    const messages = (): string[] => info.mock.calls.map((call) => String(call.arguments[1]));
    const pool = new UpstreamPool({ urls: [`http://127.0.0.1:${port}`], logger, intervalMs: 50 });
    const replica = createServer((_request, response) => response.end('ok'));
    try {
      await pool.start();
      await sleep(200);
      assert.deepEqual(messages(), [], 'nothing said about a replica that has not answered yet');
      assert.equal(pool.availableCount(), 0);

      await listen(replica, port);
      const deadline = Date.now() + 5_000;
      while (pool.availableCount() === 0 && Date.now() < deadline) await sleep(20);
      assert.deepEqual(messages(), ['API replica answers: in rotation']);

      replica.closeAllConnections();
      await new Promise<void>((resolve) => replica.close(() => resolve()));
      while (pool.availableCount() === 1 && Date.now() < deadline + 5_000) await sleep(20);
      assert.deepEqual(messages(), ['API replica answers: in rotation', 'API replica failed its health check: out of rotation']);
    } finally {
      await pool.close();
      if (replica.listening) replica.close();
    }
  });
});
