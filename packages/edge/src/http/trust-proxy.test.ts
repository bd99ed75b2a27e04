import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import proxyAddr from '@fastify/proxy-addr';
import Fastify from 'fastify';

import { isFromTier, isTrustedPeer } from './forwarded.js';
import { trustProxyFunction } from './trust-proxy.js';

describe('trustProxyFunction', () => {
  const trustedProxies = ['127.0.0.1', '10.20.0.0/16', '::1', 'fd00:1::/64'];
  const addresses = [
    '127.0.0.1', '::ffff:127.0.0.1', '10.20.3.4', '10.21.0.1', '::1', 'fd00:1::7', 'fd00:2::7', '198.51.100.7',
    '::ffff:198.51.100.7', '2001:db8::1', 'not-an-address', '', '127.0.0.1 ', '0127.0.0.1',
  ];

  it("gives proxy-addr's verdict (what Fastify compiles from the list) for every address and hop, first and remembered", () => {
    const compiled = proxyAddr.compile(trustedProxies);
    const trust = trustProxyFunction(trustedProxies);
    let trusted = 0;
    for (let round = 0; round < 3; round += 1) {
      for (const address of addresses) {
        for (const hop of [0, 1, 2]) {
          const verdict = trust(address, hop);
          assert.equal(verdict, compiled(address, hop), `${address} at hop ${hop}, round ${round}`);
          if (verdict) trusted += 1;
        }
      }
    }
    // the list has trusted and untrusted addresses: a function answering one way throughout fails above
    assert.equal(trusted, 3 * 3 * 5, 'trusted: 127.0.0.1, ::ffff:127.0.0.1, 10.20.3.4, ::1, fd00:1::7');
  });

  it('stays right past its memory bound (cleared when full)', () => {
    const trust = trustProxyFunction(['10.0.0.0/8']);
    for (let i = 0; i < 12_000; i += 1) {
      assert.equal(trust(`10.${(i >> 8) & 255}.${i & 255}.1`, 0), true);
      assert.equal(trust(`11.${(i >> 8) & 255}.${i & 255}.1`, 0), false);
    }
  });

  it("gives Fastify's request.ip, ips and protocol as the list itself does", async () => {
    const cases = [
      { remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' } },
      { remoteAddress: '198.51.100.7', headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' } },
      { remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.9, 10.20.1.1' } },
      { remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' } },
      { remoteAddress: '127.0.0.1', headers: {} },
    ];
    const seen: Record<string, string[]> = {};
    for (const [name, trustProxy] of [['list', trustedProxies], ['function', trustProxyFunction(trustedProxies)]] as const) {
      const app = Fastify({ trustProxy });
      app.get('/', async (request) => ({ ip: request.ip, ips: request.ips, protocol: request.protocol }));
      const answers: string[] = [];
      for (const { remoteAddress, headers } of cases) {
        const response = await app.inject({ method: 'GET', url: '/', remoteAddress, headers });
        answers.push(response.body);
      }
      await app.close();
      seen[name] = answers;
    }
    assert.deepEqual(seen.function, seen.list);
    // what the cases are there for: a trusted peer's client address is believed, an untrusted peer's is not
    assert.match(seen.list?.[0] ?? '', /"ip":"203\.0\.113\.9".*"protocol":"https"/);
    assert.match(seen.list?.[1] ?? '', /"ip":"198\.51\.100\.7".*"protocol":"http"/);
  });

  it('is the one verdict of every trust decision: Fastify, isTrustedPeer and isFromTier agree with proxy-addr on every list the configuration accepts', () => {
    const lists = [
      ['127.0.0.1', '::1'],
      ['10.0.0.0/8'],
      ['10.20.0.0/16', 'fd00:1::/64'],
      ['::ffff:10.0.0.0/104'],
      ['::ffff:127.0.0.1'],
      ['0.0.0.0/1', '::/1'],
      ['192.0.2.1/32', '2001:db8::/32'],
    ];
    const addresses = [
      '127.0.0.1', '::ffff:127.0.0.1', '::1', '10.1.2.3', '::ffff:10.1.2.3', '10.20.3.4', '11.0.0.1', 'fd00:1::7', 'fd00:2::7',
      '192.0.2.1', '192.0.2.2', '2001:db8::1', '2001:db9::1', '::ffff:192.0.2.1', 'not-an-address', '', '0127.0.0.1',
    ];
    let trusted = 0;
    let untrusted = 0;
    for (const list of lists) {
      const compiled = proxyAddr.compile([...list]);
      const trust = trustProxyFunction(list);
      for (const address of addresses) {
        const expected = compiled(address, 0);
        assert.equal(trust(address, 0), expected, `trustProxy ${address} in ${list.join(',')}`);
        assert.equal(isTrustedPeer(address, list), expected, `isTrustedPeer ${address} in ${list.join(',')}`);
        assert.equal(isFromTier({ peer: address, headers: {}, trustedProxies: list }), expected, `isFromTier ${address} in ${list.join(',')}`);
        if (expected) trusted += 1;
        else untrusted += 1;
      }
    }
    // both verdicts occur, so a check answering one way throughout fails above
    assert.ok(trusted > 20 && untrusted > 20, `${trusted} trusted, ${untrusted} untrusted`);
  });
});
