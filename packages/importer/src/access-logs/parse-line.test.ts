import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { classifyRequest, parseClfLine, parseClfLineByPattern, parseClfTime, parseClfTimeAndOffset, parseClfTimeText, parseJsonLine, scanClfLine } from './parse-line.js';

describe('access log lines', () => {
  it('applies the line UTC offset', () => {
    assert.equal(parseClfTime('10/Oct/2023:13:55:36 -0700'), Date.UTC(2023, 9, 10, 20, 55, 36));
    assert.equal(parseClfTime('01/Jan/2024:00:30:00 +0930'), Date.UTC(2023, 11, 31, 15, 0, 0));
    assert.equal(parseClfTime('31/Feb/2024:00:00:00 +0000'), undefined);
    assert.equal(parseClfTime('10/Oct/2023:13:55:36 +2500'), undefined);
  });

  it('parses a combined line with the query split off', () => {
    const result = parseClfLine(
      '203.0.113.9 - frank [10/Oct/2023:13:55:36 -0700] "GET /products?page=2&q=jacket HTTP/1.1" 200 2326 "https://www.google.com/" "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)"',
    );
    assert.equal(result.ok, true);
    assert.ok(result.ok);
    assert.deepEqual(result.request, {
      ip: '203.0.113.9',
      time: Date.UTC(2023, 9, 10, 20, 55, 36),
      offsetMinutes: -420,
      method: 'GET',
      path: '/products',
      query: 'page=2&q=jacket',
      status: 200,
      bytes: 2326,
      referrer: 'https://www.google.com/',
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)',
      durationMs: null,
    });
  });

  it('parses common format, IPv6 and quotes inside the user agent', () => {
    const common = parseClfLine('2001:db8::1 - - [10/Oct/2023:13:55:36 +0000] "POST /cart HTTP/1.0" 302 -');
    assert.ok(common.ok);
    assert.equal(common.request.ip, '2001:db8::1');
    assert.equal(common.request.bytes, null);
    assert.equal(common.request.userAgent, null);
    const quoted = parseClfLine('198.51.100.7 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 10 "-" "Mozilla/5.0 \\"Quoted\\" Agent"');
    assert.ok(quoted.ok);
    assert.equal(quoted.request.userAgent, 'Mozilla/5.0 "Quoted" Agent');
    const nginxEscaped = parseClfLine('198.51.100.7 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 10 "-" "Agent \\x22x\\x22"');
    assert.ok(nginxEscaped.ok);
    assert.equal(nginxEscaped.request.userAgent, 'Agent "x"');
  });

  it('keeps a line cut inside its user agent or referrer, marked as truncated, and one without agent', () => {
    const cutAgent = parseClfLine('10.0.0.5 - - [01/Jul/1995:14:30:00 +0530] "GET /p/1?x=1 HTTP/1.1" 200 512 "http://ref.example/" "Mozilla/5.0 (Windows NT 10.0; Win64');
    assert.ok(cutAgent.ok && cutAgent.isTruncated === true);
    assert.deepEqual(cutAgent.ok && [cutAgent.request.path, cutAgent.request.status, cutAgent.request.referrer, cutAgent.request.userAgent, cutAgent.request.offsetMinutes], [
      '/p/1', 200, 'http://ref.example/', 'Mozilla/5.0 (Windows NT 10.0; Win64', 330,
    ]);
    const cutReferrer = parseClfLine('10.0.0.5 - - [01/Jul/1995:14:30:00 -0400] "GET /p/2 HTTP/1.1" 304 - "http://ref.exa');
    assert.ok(cutReferrer.ok && cutReferrer.isTruncated === true && cutReferrer.request.referrer === null && cutReferrer.request.bytes === null);
    const common = parseClfLine('host-a.example - - [01/Jul/1995:00:00:01 -0400] "GET /history/apollo/ HTTP/1.0" 200 6245');
    assert.ok(common.ok && common.isTruncated === undefined && common.request.userAgent === null && common.request.offsetMinutes === -240);
    // the head must be whole: a line cut before its status is still garbage
    assert.equal(parseClfLine('10.0.0.5 - - [01/Jul/1995:14:30:00 +0000] "GET /p/1 HTTP/1.1" 20').ok, false);
  });

  it('reports truncated and garbage lines with a reason', () => {
    for (const line of [
      '203.0.113.9 - - [10/Oct/2023:13:55:36 -0700] "GET /products HT',
      '',
      'hello world',
      '203.0.113.9 - - [10/Oct/2023:13:55:36 -0700] "\\x16\\x03\\x01" 400 0',
    ]) {
      const result = parseClfLine(line);
      assert.equal(result.ok, false, line);
      assert.ok(!result.ok && result.reason.length > 0);
    }
  });

  it('parses nginx JSON lines with a field mapping and refuses times without an offset', () => {
    const result = parseJsonLine(
      JSON.stringify({
        time_iso8601: '2023-10-10T13:55:36-07:00',
        remote_addr: '203.0.113.9',
        request: 'GET /p/42?ref=x HTTP/2.0',
        status: '200',
        body_bytes_sent: '512',
        http_referer: '',
        http_user_agent: 'Mozilla/5.0',
        request_time: '0.012',
      }),
    );
    assert.ok(result.ok);
    assert.equal(result.request.time, Date.UTC(2023, 9, 10, 20, 55, 36));
    assert.equal(result.request.path, '/p/42');
    assert.equal(result.request.durationMs, 12);
    assert.equal(result.request.referrer, null);
    const custom = parseJsonLine('{"ts":"2023-10-10T20:55:36Z","ip":"::1","m":"GET","u":"/","s":204}', {
      time: 'ts',
      ip: 'ip',
      method: 'm',
      uri: 'u',
      status: 's',
    });
    assert.ok(custom.ok);
    assert.equal(custom.request.status, 204);
    const noOffset = parseJsonLine('{"time_iso8601":"2023-10-10T13:55:36","remote_addr":"1.2.3.4","request":"GET / HTTP/1.1","status":200}');
    assert.equal(noOffset.ok, false);
  });

  it('classifies pages, static assets and health checks', () => {
    assert.equal(classifyRequest('/products/42'), 'page');
    assert.equal(classifyRequest('/assets/app.3f2a.js'), 'static');
    assert.equal(classifyRequest('/img/logo.PNG'), 'static');
    assert.equal(classifyRequest('/healthz'), 'health');
    assert.equal(classifyRequest('/'), 'page');
  });

  it('reads every line the fast scanner takes exactly as the pattern does, and leaves the rest to it', () => {
    const lines = [
      '203.0.113.9 - frank [10/Oct/2023:13:55:36 -0700] "GET /products?page=2&q=jacket#top HTTP/1.1" 200 2326 "https://www.google.com/" "Mozilla/5.0 (iPhone)"',
      '203.0.113.9 - - [10/Oct/2023:13:55:36 -0700] "GET /p/1 HTTP/1.1" 200 2326 "-" "-"',
      '203.0.113.9 - - [10/Oct/2023:13:55:36 -0700] "GET /p/1 HTTP/1.1" 200 2326 "" ""',
      '203.0.113.9 - - [10/Oct/2023:13:55:37 -0700] "HEAD http://shop.example/p/1?x=1 HTTP/1.0" 304 - "-" "curl/8.0" 0.012',
      '203.0.113.9 - - [10/Oct/2023:13:55:37 -0700] "GET / HTTP/2.0" 200 10 "-" "Mozilla/5.0" 3',
      '203.0.113.9 - - [10/Oct/2023:13:55:37 -0700] "GET / HTTP/2.0" 200 10 "-" "Mozilla/5.0" 3.',
      '203.0.113.9 - - [10/Oct/2023:13:55:37 -0700] "GET / HTTP/2.0" 200 10 "-" "Mozilla/5.0" abc',
      '203.0.113.9 - - [10/Oct/2023:13:55:37 -0700] "GET / HTTP/2.0" 200 10 "-" "Mozilla/5.0"   ',
      '203.0.113.9 - - [10/Oct/2023:13:55:37 -0700] "GET / HTTP/2.0" 200 10 "-" "Mozilla/5.0"\t',
      '2001:db8::1 - - [10/Oct/2023:13:55:36 +0000] "POST /cart HTTP/1.0" 302 -',
      '2001:db8::1 - - [10/Oct/2023:13:55:36 +0000] "POST /cart HTTP/1.0" 302 - 0.5',
      '2001:db8::1 - - [10/Oct/2023:13:55:36 +0000] "POST /cart HTTP/1.0" 2020 -',
      '2001:db8::1 - - [10/Oct/2023:13:55:36 +0000] "POST /cart HTTP/1.0" 202 12x "-" "a"',
      '2001:db8::1 - - [10/Oct/2023:13:55:36 +0000] "POST /cart HTTP/1.0" 202 12 "-"',
      '2001:db8::1 - - [10/Oct/2023:13:55:36 +0000] "POST /cart HTTP/1.0" 202 12 "-" "cut agent',
      '2001:db8::1 - - [31/Feb/2023:13:55:36 +0000] "GET / HTTP/1.0" 200 1',
      '2001:db8::1 - - [10/Oct/2023:13:55:36 +0000] "get / HTTP/1.0" 200 1',
      '2001:db8::1 - - [10/Oct/2023:13:55:36 +0000] "GET ftp://x/ HTTP/1.0" 200 1',
      ' - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.0" 200 1',
      'a  - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.0" 200 1',
      'a - - [] "GET / HTTP/1.0" 200 1',
      'a - - [10/Oct/2023:13:55:36 +0000]"GET / HTTP/1.0" 200 1',
      '198.51.100.7 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 10 "-" "Mozilla/5.0 \\"Quoted\\" Agent"',
      '198.51.100.7 - - [10/Oct/2023:13:55:36 +0000] "GET /a\\x22b HTTP/1.1" 200 10 "-" "Agent"',
    ];
    const scanned = lines.filter((line) => {
      const fast = scanClfLine(line);
      if (fast !== undefined) assert.deepEqual(fast, parseClfLineByPattern(line), line);
      assert.deepEqual(parseClfLine(line), parseClfLineByPattern(line), line);
      return fast !== undefined;
    });
    // the usual lines (the first six, the trailing spaces, the common-format ones) take the fast path
    assert.deepEqual(scanned.map((line) => lines.indexOf(line)), [0, 1, 2, 3, 4, 7, 9, 10]);
  });
});

describe('times of consecutive lines (parsed once per hour)', () => {
  it('gives every minute and second of an hour exactly what the full pattern gives, across hours, offsets and bad texts', () => {
    const hours = ['10/Oct/2000:13:', '10/Oct/2000:23:', '31/Dec/2025:23:', '29/Feb/2024:00:', '29/Feb/2025:10:', '31/Apr/2025:10:', '10/Oct/2000:24:', '10/Oct/2000:1x:'];
    const offsets = [' +0000', ' -0700', ' +0530', ' -1500', ' +0000x'];
    const parts = [...Array.from({ length: 61 }, (_, n) => String(n).padStart(2, '0')), '61', '99', 'x5', '5'];
    let compared = 0;
    let parsed = 0;
    for (const offset of offsets) {
      for (const minute of parts) {
        // hours alternate inside the loop so the kept hour is switched all the time
        for (const hour of hours) {
          for (const second of ['00', '07', '59', '60', '61', '5x']) {
            const text = `${hour}${minute}:${second}${offset}`;
            const expected = parseClfTimeText(text);
            assert.deepEqual(parseClfTimeAndOffset(text), expected, text);
            compared += 1;
            if (expected !== undefined) parsed += 1;
          }
        }
      }
    }
    assert.ok(parsed > 1000 && parsed < compared, `${parsed} of ${compared} texts were valid times`);
    assert.deepEqual(parseClfTimeAndOffset('10/Oct/2000:13:55:36 -0700'), { time: Date.UTC(2000, 9, 10, 20, 55, 36), offsetMinutes: -420 });
  });
});
