import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { loadEdgeConfig } from '@threadline/config';
import { buildWafTestApp } from '../testing/stub-app.js';
import { inspectBodyFields, inspectBodyTexts, inspectRequest, type InspectableRequest } from './inspect.js';

const settings = loadEdgeConfig({}).waf;

function get(url: string, headers: InspectableRequest['headers'] = {}): InspectableRequest {
  return { method: 'GET', url, headers };
}

function postJson(url: string, body: unknown): InspectableRequest {
  const text = JSON.stringify(body);
  return { method: 'POST', url, headers: { 'content-type': 'application/json', 'content-length': String(text.length) }, body };
}

function ruleIds(request: InspectableRequest): string[] {
  return inspectRequest(request, settings).matches.map((match) => match.ruleId);
}

describe('inspectRequest', () => {
  it("blocks the auditor's five misses of issue 16 in the query and in JSON", () => {
    const misses = ['1 OR 3-2=1', "'||(SELECT password FROM users LIMIT 1)||'", '1 RLIKE (SELECT 1)', "{{7*'7'}}", "${T(java.lang.Runtime).getRuntime().exec('id')}"];
    for (const payload of misses) {
      assert.equal(inspectRequest(get(`/api/products?q=${encodeURIComponent(payload)}`), settings).action, 'block', `query: ${payload}`);
      assert.equal(inspectRequest(postJson('/api/products/12/reviews', { rating: 5, title: 'x', body: payload }), settings, { part: 'body' }).action, 'block', `JSON: ${payload}`);
    }
  });

  it('blocks SSRF, NoSQL operators and CRLF injection, and lets ordinary URLs and text through', () => {
    assert.ok(ruleIds(postJson('/api/seller/products/7', { imageUrl: 'http://169.254.169.254/latest/meta-data/' })).includes('934120'));
    assert.ok(ruleIds(postJson('/api/seller/products/7', { imageUrl: 'http://2130706433/' })).includes('934120'));
    assert.ok(ruleIds(postJson('/api/auth/login', { email: '{"$gt": ""}', password: 'x' })).includes('934150'));
    assert.ok(ruleIds(get('/api/auth/logout?next=%0d%0aSet-Cookie:%20a=b')).includes('921160'));
    assert.deepEqual(ruleIds(postJson('/api/account', { website: 'https://my-blog.example.com/about?ref=shop', name: "Siobhán O'Brien" })), []);
  });

  it('names the field of every kind of head value that matched, in the order the head is read', () => {
    const attack = encodeURIComponent("1' OR 1=1 --");
    const request = get(`/api/${attack}/x?${attack}=1&q=${attack}`, { referer: `https://shop.example/?q=${attack}`, cookie: ` tl_pref=${attack}; tl_vid=abcdefgh` });
    const fields = [...new Set(inspectRequest(request, settings, { part: 'head' }).matches.map((match) => match.field))];
    assert.deepEqual(fields, ['path', 'path[2]', `query.${attack}(name)`, 'query.q', 'header.referer', 'cookie.tl_pref']);
    assert.equal(inspectRequest(request, settings, { part: 'head' }).action, 'block');
  });

  it('lists a polluted body key before the head and body matches and blocks on it alone', () => {
    const request: InspectableRequest = { ...postJson(`/api/account?q=${encodeURIComponent('<script>alert(1)</script>')}`, {}), body: JSON.parse('{"__proto__": {"isAdmin": true}}') };
    const decision = inspectRequest(request, settings);
    assert.equal(decision.matches[0]?.category, 'pollution');
    assert.equal(decision.matches[0]?.field, '__proto__');
    assert.ok(decision.matches.slice(1).some((match) => match.field === 'query.q'));
    assert.equal(decision.action, 'block');
    const clean = inspectRequest({ ...postJson('/api/account', {}), body: JSON.parse('{"__proto__": {"isAdmin": true}}') }, settings);
    assert.equal(clean.score, settings.blockScore);
  });

  it('drops excluded matches from the score but still reports them', () => {
    const request = postJson('/api/admin/query', { sql: 'SELECT * FROM sales LIMIT 5' });
    assert.equal(inspectRequest(request, settings, { part: 'body' }).action, 'block');
    const excluded = inspectRequest(request, settings, { part: 'body', exclusions: [{ id: 'x-1', field: 'sql', categories: ['sqli'] }] });
    assert.equal(excluded.action, 'allow');
    assert.ok(excluded.matches.length > 0 && excluded.matches.every((match) => match.excludedBy === 'x-1'));
    const otherField = inspectRequest(postJson('/api/admin/query', { sql: '1', note: "1' UNION SELECT 1--" }), settings, { part: 'body', exclusions: [{ id: 'x-1', field: 'sql', categories: ['sqli'] }] });
    assert.equal(otherField.action, 'block');
  });

  it("lets a search for O'Neill jacket through", () => {
    const decision = inspectRequest(get("/api/products?q=O'Neill+jacket"), settings);
    assert.equal(decision.action, 'allow');
    assert.deepEqual(decision.matches, []);
  });

  it('lets bare command-like words through: JSON keys, searches and product names', () => {
    const edit = { method: 'PATCH', url: '/api/seller/products/7', headers: { 'content-type': 'application/json' }, body: { name: 'Echo', variants: [{ id: 12, size: 'M', colour: 'Red', price: 1999, stock: 3 }], type: 'tee' } };
    assert.deepEqual(inspectRequest(edit, settings).matches, []);
    for (const word of ['cat', 'id', 'head', 'type', 'find', 'sleep']) assert.deepEqual(ruleIds(get(`/api/products?q=${word}`)), [], word);
  });

  it('still blocks command words after a separator or with shell arguments', () => {
    assert.ok(ruleIds(get('/api/products?q=jacket%3Bid')).includes('932100'));
    assert.ok(ruleIds(get('/api/products?q=cat%20/etc/passwd')).length > 0);
    assert.ok(ruleIds(get('/api/products?q=x%7C%20whoami')).includes('932100'));
  });

  it('blocks a quoted SQL tautology in the query with rule 942100', () => {
    const decision = inspectRequest(get("/api/products?q=x'%20OR%20'1'='1"), settings);
    assert.equal(decision.action, 'block');
    assert.equal(decision.code, 'WAF_BLOCKED');
    assert.ok(decision.matches.some((match) => match.ruleId === '942100' && match.field === 'query.q'));
  });

  it('sees through double URL encoding and SQL comments splitting keywords', () => {
    assert.ok(ruleIds(get('/search?q=%2527%2520UNION%2520SELECT%25201')).includes('942130'));
    assert.ok(ruleIds(get('/search?q=1%20UNI/**/ON%20SEL/**/ECT%201,2')).includes('942130'));
  });

  it('finds XSS in a JSON review body and names the field', () => {
    const decision = inspectRequest(postJson('/api/products/1/reviews', { rating: 5, body: '<img src=x onerror=alert(1)>' }), settings);
    assert.equal(decision.action, 'block');
    assert.ok(decision.matches.some((match) => match.ruleId === '941120' && match.field === 'body'));
  });

  it('does not inspect password fields, which may legitimately contain anything', () => {
    const decision = inspectRequest(postJson('/api/auth/login', { email: 'a@example.com', password: "' OR 1=1--<script>" }), settings);
    assert.equal(decision.action, 'allow');
  });

  it('blocks prototype pollution keys in JSON bodies', () => {
    const body: unknown = JSON.parse('{"name":"x","__proto__":{"isAdmin":true}}');
    const decision = inspectRequest({ method: 'POST', url: '/api/account', headers: { 'content-type': 'application/json', 'content-length': '40' }, body }, settings);
    assert.equal(decision.action, 'block');
    assert.ok(decision.matches.some((match) => match.ruleId === '934110'));
  });

  it('blocks path traversal in the path, encoded or not', () => {
    assert.ok(ruleIds(get('/media/..%2f..%2fetc%2fpasswd')).includes('930100'));
    assert.ok(ruleIds(get('/media/%252e%252e%252fetc%252fpasswd')).includes('930100'));
  });

  it('blocks command injection but not reviews that merely use semicolons and ampersands', () => {
    assert.equal(inspectRequest(get('/api/stores?near=x%3B%20cat%20%2Fetc%2Fpasswd'), settings).action, 'block');
    assert.equal(inspectRequest(postJson('/api/products/1/reviews', { body: 'Great for lounging; sleep in it every night. Rock & roll!' }), settings).action, 'allow');
  });

  it('blocks scanner user agents and probes for files the shop never serves', () => {
    assert.ok(ruleIds(get('/', { 'user-agent': 'sqlmap/1.7.2#stable (https://sqlmap.org)' })).includes('913100'));
    assert.ok(ruleIds(get('/wp-login.php')).includes('913120'));
    assert.deepEqual(ruleIds(get('/.well-known/security.txt')), []);
  });

  it('scores warnings: one warning alone passes, a warning plus another attack signal blocks', () => {
    const one = inspectRequest(get('/search?q=%3Cimg%20src%3D%22shirt.png%22%3E'), settings);
    assert.equal(one.action, 'allow');
    assert.equal(one.score, 3);
    const two = inspectRequest(get('/search?q=%3Cimg%20src%3Dx%3E%22%3E%3Cimg'), settings);
    assert.equal(two.action, 'block');
  });

  it('enforces the method and content-type allow lists and the size limits', () => {
    assert.equal(inspectRequest({ method: 'TRACE', url: '/', headers: {} }, settings).status, 405);
    const xml = inspectRequest({ method: 'POST', url: '/api/x', headers: { 'content-type': 'application/xml', 'content-length': '10' } }, settings);
    assert.equal(xml.status, 415);
    assert.equal(xml.code, 'UNSUPPORTED_MEDIA_TYPE');
    const big = inspectRequest({ method: 'POST', url: '/api/x', headers: { 'content-type': 'application/json', 'content-length': String(settings.maxBodyBytes + 1) } }, settings);
    assert.equal(big.status, 413);
    assert.equal(inspectRequest(get(`/search?q=${'a'.repeat(settings.maxUrlLength)}`), settings).status, 414);
    assert.equal(inspectRequest(get('/', { 'x-big': 'a'.repeat(settings.maxHeaderBytes + 1) }), settings).status, 431);
  });
});

describe('wafPlugin', async () => {
  const blocking = await buildWafTestApp(settings);
  const detecting = await buildWafTestApp({ ...settings, mode: 'detect' });
  const off = await buildWafTestApp({ ...settings, mode: 'off' });
  after(async () => {
    await Promise.all([blocking.app.close(), detecting.app.close(), off.app.close()]);
  });
  const attack = { method: 'GET' as const, url: "/api/products?q=1'%20UNION%20SELECT%20password%20FROM%20users--" };

  it('answers a blocked request with 403 WAF_BLOCKED and no rule id, and logs the rule id', async () => {
    const response = await blocking.app.inject(attack);
    assert.equal(response.statusCode, 403);
    assert.equal(response.headers['x-reached'], undefined);
    const body: unknown = response.json();
    assert.deepEqual(Object.keys((body as { error: object }).error).sort(), ['code', 'message']); // shape checked by the assertion
    assert.match(response.body, /"code":"WAF_BLOCKED"/);
    assert.doesNotMatch(response.body, /942\d{3}/);
    const logged = blocking.logs.find((line) => line.msg === 'WAF blocked request');
    assert.ok(logged, 'the block is logged');
    assert.match(JSON.stringify(logged), /"ruleIds":\[[^\]]*"942130"/);
  });

  it('inspects parsed JSON bodies before the handler runs', async () => {
    const response = await blocking.app.inject({ method: 'POST', url: '/api/products/1/reviews', payload: { body: '<script>alert(1)</script>' } });
    assert.equal(response.statusCode, 403);
    const fine = await blocking.app.inject({ method: 'POST', url: '/api/products/1/reviews', payload: { body: 'Fits well <3 -- "navy" not black' } });
    assert.equal(fine.statusCode, 200);
    assert.equal(fine.headers['x-reached'], 'app');
  });

  it('in detect mode lets the attack through and logs that it would have blocked it', async () => {
    const response = await detecting.app.inject(attack);
    assert.equal(response.statusCode, 200);
    assert.ok(detecting.logs.some((line) => line.msg === 'WAF would block request (detect-only mode)'));
    assert.equal(detecting.app.wafStats.detected, 1);
  });

  it('in off mode inspects nothing', async () => {
    const response = await off.app.inject(attack);
    assert.equal(response.statusCode, 200);
    assert.equal(off.app.wafStats.inspected, 0);
  });
});

describe('inspectBodyFields', () => {
  it('blocks attacks in the chosen fields of a body the route parsed itself, naming the field', () => {
    for (const text of ['<script>alert(1)</script>', "' UNION SELECT password FROM users --", '/products/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E', '../../../../etc/passwd']) {
      const decision = inspectBodyFields([{ field: 'events[0].path', text: '/products/12' }, { field: 'events[1].props.query', text }], settings);
      assert.equal(decision.action, 'block', text);
      assert.equal(decision.status, 403);
      assert.ok(decision.matches.every((match) => match.field === 'events[1].props.query' && match.location === 'body'), text);
    }
  });

  it('lets ordinary event text through', () => {
    const fields = ["O'Neill linen jacket", '/products/linen-shirt', 'https://www.google.com/', 'spring-sale 2026', '100% cotton'].map((text, i) => ({ field: `events[${i}].props.query`, text }));
    assert.equal(inspectBodyFields(fields, settings).action, 'allow');
  });
});

describe('inspectBodyTexts', () => {
  it('names only the fields that matched, and blocks like inspectBodyFields', () => {
    const texts = ['/products/12', 'https://www.google.com/', "' UNION SELECT password FROM users --", 'linen'];
    const asked: number[] = [];
    const decision = inspectBodyTexts({ texts, fieldOf: (index) => (asked.push(index), `events[${index}].props.query`) }, settings);
    assert.equal(decision.action, 'block');
    assert.deepEqual([...new Set(asked)], [2], 'only the matching value is named');
    assert.ok(decision.matches.length > 0 && decision.matches.every((match) => match.field === 'events[2].props.query' && match.location === 'body'));
    const fields = texts.map((text, index) => ({ field: `events[${index}].props.query`, text }));
    assert.deepEqual(inspectBodyFields(fields, settings), decision);
  });

  it('inspects every value, however many (the generic body cap of 2,000 values does not apply)', () => {
    const texts = Array.from({ length: 5000 }, (_, i) => `/products/${i % 50}`);
    texts[4999] = '<script>alert(1)</script>';
    const decision = inspectBodyTexts({ texts, fieldOf: (index) => `events[${Math.floor(index / 10)}].path` }, settings);
    assert.equal(decision.action, 'block');
    assert.equal(decision.matches[0]?.field, 'events[499].path');
  });

  it('gives a cached value the same verdict as a fresh one', () => {
    const attack = '..%2f..%2f..%2fetc%2fpasswd';
    const first = inspectBodyTexts({ texts: [attack], fieldOf: () => 'events[0].path' }, settings);
    const again = inspectBodyTexts({ texts: ['/ok', attack], fieldOf: (index) => `events[${index}].path` }, settings);
    assert.equal(first.action, 'block');
    assert.equal(again.action, 'block');
    assert.deepEqual(again.matches.map((m) => m.ruleId), first.matches.map((m) => m.ruleId));
    assert.equal(again.matches[0]?.field, 'events[1].path');
  });
});
