import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import { DEBIAN_PATHS, renderNginxConfig, type NginxValues } from './nginx.js';

describe('deploy/nginx rendering: rate limits and the ModSecurity switch', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-nginx-conf-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const values = (extra: Partial<NginxValues> = {}): NginxValues => ({
    prefix: path.join(dir, 'run'),
    confDir: path.join(dir, 'conf'),
    listenAddress: '127.0.0.1',
    httpPort: 8080,
    httpsPort: 8443,
    serverName: 'shop.example.com',
    tlsCert: '/etc/ssl/cert.pem',
    tlsKey: '/etc/ssl/key.pem',
    webUpstream: '127.0.0.1:8081',
    apiUpstream: '127.0.0.1:8082',
    assetsRoot: '/opt/threadline/dist',
    paranoia: 1,
    hstsMaxAge: 31_536_000,
    apiRate: '20r/s',
    wafRecordPort: 8099,
    ...DEBIAN_PATHS,
    ...extra,
  });

  it('keeps the shipped defaults: login 30r/m burst 10, API burst 100, ModSecurity on', () => {
    const conf = readFileSync(renderNginxConfig(values()), 'utf8');
    assert.match(conf, /zone=threadline_login:10m rate=30r\/m;/);
    assert.match(conf, /limit_req zone=threadline_login burst=10 nodelay;/);
    assert.match(conf, /limit_req zone=threadline_api burst=100 nodelay;/);
    assert.match(conf, /^\s+modsecurity on;/m);
    assert.match(conf, /modsecurity_transaction_id "\$request_id";/);
  });

  it('takes the login and API limits from the values, and can switch ModSecurity off for measuring', () => {
    const conf = readFileSync(renderNginxConfig(values({ loginRate: '5r/m', loginBurst: 2, apiBurst: 40, isModSecurityOn: false })), 'utf8');
    assert.match(conf, /zone=threadline_login:10m rate=5r\/m;/);
    assert.match(conf, /limit_req zone=threadline_login burst=2 nodelay;/);
    assert.match(conf, /limit_req zone=threadline_api burst=40 nodelay;/);
    assert.match(conf, /^\s+modsecurity off;/m);
  });

  it('hands refused requests to a loopback-only record server so the audit log keeps their rule ids', () => {
    const conf = readFileSync(renderNginxConfig(values()), 'utf8');
    assert.match(conf, /listen 127\.0\.0\.1:8099;/);
    assert.doesNotMatch(conf, /listen (?:0\.0\.0\.0:)?8099\b/);
    assert.match(conf, /location @waf_blocked \{[^}]*modsecurity off;[^}]*proxy_pass http:\/\/127\.0\.0\.1:8099;/);
  });

  it('refuses a rate or burst nginx would not start with, naming it', () => {
    assert.throws(() => renderNginxConfig(values({ loginRate: '30/min' })), /loginRate: expected a rate like 20r\/s or 30r\/m/);
    assert.throws(() => renderNginxConfig(values({ apiRate: '0r/s' })), /apiRate/);
    assert.throws(() => renderNginxConfig(values({ loginBurst: -1 })), /loginBurst: expected a whole number/);
    assert.throws(() => renderNginxConfig(values({ wafRecordPort: undefined })), /wafRecordPort: expected a free loopback port/);
  });

  it('renders the admin SQL console exclusion for the sql field of the console routes only', () => {
    renderNginxConfig(values());
    const exclusions = readFileSync(path.join(dir, 'conf', 'modsecurity', 'threadline-before-crs.conf'), 'utf8');
    assert.match(exclusions, /REQUEST_FILENAME "@rx \^\/api\/admin\/query\(\?:\/csv\)\?\$"/);
    assert.match(exclusions, /ctl:ruleRemoveTargetByTag=attack-sqli;ARGS:json\.sql/);
  });
});
