import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { deviceFromUserAgent, isBotUserAgent } from './user-agent.js';

describe('user agents', () => {
  it('marks crawlers, monitors, headless browsers, HTTP libraries and a missing agent as bots', () => {
    for (const agent of [
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36',
      'curl/8.5.0',
      'python-requests/2.31.0',
      'UptimeRobot/2.0',
      'facebookexternalhit/1.1',
      undefined,
      '  ',
    ]) {
      assert.equal(isBotUserAgent(agent), true, String(agent));
    }
  });

  it('leaves people in browsers alone', () => {
    for (const agent of [
      'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0',
    ]) {
      assert.equal(isBotUserAgent(agent), false, agent);
    }
  });

  it('classifies devices', () => {
    assert.equal(deviceFromUserAgent('Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)'), 'tablet');
    assert.equal(deviceFromUserAgent('Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari'), 'mobile');
    assert.equal(deviceFromUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64)'), 'desktop');
    assert.equal(deviceFromUserAgent(undefined), 'other');
  });
});
