import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';

import { createTestDatabase, freePort, type TestDatabase } from '@threadline/db/testing';

import { runDoctor } from '../commands/doctor.js';
import { CLI_BIN } from '../launcher/services.js';
import { checkPorts, serverVersion } from './probes.js';
import { compareVersions, judgeDisk, judgeNode, judgePostgres, judgeTool, parseVersion, TOOLS } from './versions.js';

const pgBackRest = TOOLS.find((tool) => tool.check === 'pgBackRest');
if (!pgBackRest) throw new Error('pgBackRest must be among the tools');

describe('doctor verdicts', () => {
  it('reads versions out of tool output', () => {
    assert.equal(parseVersion('pgBackRest 2.45'), '2.45');
    assert.equal(parseVersion('nginx version: nginx/1.22.1'), '1.22.1');
    assert.equal(parseVersion('Chromium 156.0.8078.108 built on Debian'), '156.0.8078');
    assert.equal(parseVersion('no digits'), undefined);
    assert.ok(compareVersions('2.9', '2.40') < 0);
    assert.equal(compareVersions('15.0', '15'), 0);
  });

  it('says how to install a missing tool and flags an old one', () => {
    assert.deepEqual(judgeTool(pgBackRest, undefined), { check: 'pgBackRest', status: 'missing', found: 'not installed', need: '>= 2.40 (WAL archive, 02:00 backups, point-in-time restore)', fix: 'apt-get install pgbackrest' });
    assert.equal(judgeTool(pgBackRest, 'pgBackRest 2.30').status, 'warn');
    assert.equal(judgeTool(pgBackRest, 'pgBackRest 2.54.1').status, 'ok');
  });

  it('fails Node below the engines floor and warns on an untested major', () => {
    assert.equal(judgeNode('v18.20.0', ['20', '22'], '20.19').status, 'fail');
    assert.equal(judgeNode('v24.1.0', ['20', '22'], '20.19').status, 'warn');
    assert.equal(judgeNode('v22.11.0', ['20', '22'], '20.19').status, 'ok');
  });

  it('fails an unsupported PostgreSQL major and a disk under 1 GiB', () => {
    assert.equal(judgePostgres('PostgreSQL', '14.9', ['15', '16', '17'], 'x').status, 'fail');
    assert.equal(judgePostgres('PostgreSQL', '16.4', ['15', '16', '17'], 'x').status, 'ok');
    assert.equal(judgeDisk('/d', 0.5 * 1024 ** 3).status, 'fail');
    assert.equal(judgeDisk('/d', 3 * 1024 ** 3).status, 'warn');
    assert.equal(judgeDisk('/d', 50 * 1024 ** 3).status, 'ok');
  });
});

describe('doctor probes on this host', () => {
  let database: TestDatabase;
  const servers: Server[] = [];
  before(async () => {
    database = await createTestDatabase({ migrate: false });
  });
  after(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await database.close();
  });

  async function listen(handler: (path: string) => [number, string]): Promise<number> {
    const port = await freePort();
    const server = createServer((request, response) => {
      const [status, body] = handler(request.url ?? '');
      response.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return port;
  }

  it('reads the server version through DATABASE_URL and explains a refused connection', async () => {
    const found = await serverVersion(database.url);
    assert.match(found.version ?? '', /^1[5-7]\.\d+$/);
    const refused = await serverVersion(`postgres://nobody:x@127.0.0.1:${await freePort()}/none`);
    assert.equal(refused.version, undefined);
    assert.match(refused.error ?? '', /ECONNREFUSED/);
  });

  it('tells a free port, one used by a Threadline tier and one taken by another program apart', async () => {
    const free = await freePort();
    const ours = await listen((path) => (path === '/healthz' ? [200, '{"status":"ok"}'] : [404, '{}']));
    const theirs = await listen(() => [200, '<html>someone else</html>']);
    const results = await checkPorts(
      [
        { port: free, name: 'web' },
        { port: ours, name: 'api' },
        { port: theirs, name: 'worker' },
      ],
      '/nonexistent',
    );
    assert.deepEqual(results.map((result) => [result.status, result.found]), [
      ['ok', 'free'],
      ['ok', 'used by Threadline api'],
      ['fail', 'used by another program'],
    ]);
    assert.match(results[2]?.fix ?? '', /THREADLINE_WORKER_PORT/);
  });

  it('runs every check against DATABASE_URL and reports the server version', async () => {
    const results = await runDoctor({ ...process.env, DATABASE_URL: database.url, PORT: String(await freePort()), THREADLINE_API_PORT: String(await freePort()), THREADLINE_WORKER_PORT: String(await freePort()) });
    const checks = results.map((result) => result.check);
    for (const check of ['Node.js', 'PostgreSQL (DATABASE_URL)', 'pgBackRest', 'Prometheus', 'Alertmanager', 'nginx', 'Chromium', 'disk']) assert.ok(checks.includes(check), check);
    assert.equal(results.find((result) => result.check === 'Node.js')?.status, 'ok');
    assert.equal(results.find((result) => result.check === 'PostgreSQL (DATABASE_URL)')?.status, 'ok');
    assert.equal(results.filter((result) => result.check.startsWith('port ')).length, 3, 'no embedded database port with DATABASE_URL');
  });

  it('prints JSON with --format json and refuses csv', async () => {
    const run = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        execFile(process.execPath, [CLI_BIN, 'doctor', ...args], { env: { ...process.env, PORT: '0', DATABASE_URL: database.url } }, (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
        });
      });
    const json = await run(['--format', 'json']);
    const rows: unknown = JSON.parse(json.stdout);
    assert.ok(Array.isArray(rows) && rows.every((row) => typeof row === 'object' && row !== null && 'check' in row && 'status' in row && 'fix' in row));
    const csv = await run(['--format', 'csv']);
    assert.equal(csv.code, 1);
    assert.match(csv.stderr, /--format must be one of table, json/);
  });
});
