import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';

import { hasWrk, measureWithWrk, parseWrkSummary, wrkScript } from './wrk-load.js';

describe('wrk load', () => {
  it('reads the summary line and names a missing field', () => {
    const line = 'WRK_SUMMARY {"requests":10,"durationUs":1000000,"p50Us":1,"p95Us":2,"p99Us":3,"maxUs":4,"connect":0,"read":0,"write":0,"status":1,"timeout":0}';
    assert.equal(parseWrkSummary(`Running 1s test\n${line}\nRequests/sec: 10\n`).status, 1);
    assert.throws(() => parseWrkSummary(line.replace('"p99Us":3,', '')), /field p99Us/);
    assert.throws(() => parseWrkSummary('Requests/sec: 10'), /no WRK_SUMMARY line/);
  });

  it('refuses requests wrk would send differently (POST, bodies)', () => {
    assert.throws(() => wrkScript([{ method: 'POST', path: '/api/cart', body: '{}' }]), /GET without body only \(POST \/api\/cart\)/);
  });

  it('cycles the paths with their headers and counts failing answers', { skip: !hasWrk() && 'wrk not installed' }, async () => {
    const seen = new Map<string, number>();
    let cookies = 0;
    const server = createServer((request, response) => {
      seen.set(request.url ?? '', (seen.get(request.url ?? '') ?? 0) + 1);
      if (request.headers.cookie === 'tl_pref=bench') cookies += 1;
      response.statusCode = request.url === '/missing' ? 404 : 200;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo; // listening on TCP: an AddressInfo, not a pipe name
      const figures = await measureWithWrk({
        url: `http://127.0.0.1:${port}`,
        connections: 4,
        durationS: 1,
        requests: [{ path: '/a', headers: { cookie: 'tl_pref=bench' } }, { path: '/missing' }],
      });
      assert.ok(figures.requests > 100, `requests: ${figures.requests}`);
      assert.equal(cookies, seen.get('/a'));
      const missing = seen.get('/missing') ?? 0;
      assert.ok(missing > 0 && Math.abs(missing - (seen.get('/a') ?? 0)) <= 4, `paths: ${JSON.stringify([...seen])}`);
      // wrk's own count of 404s matches what the server answered (within requests cut off at the end)
      assert.ok(Math.abs(figures.non2xx - missing) <= 4, `non2xx ${figures.non2xx} vs ${missing}`);
      assert.ok(figures.generatorCpuMs > 0, 'wrk spent some CPU');
    } finally {
      server.close();
    }
  });
});
