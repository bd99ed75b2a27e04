import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { parse } from 'yaml';

import { createTestDatabase, freePort, type TestDatabase } from '@threadline/db/testing';

import { TIERS } from '../../infra/lib/shop/tiers.js';
import { databaseUrlFromPgEnv } from './database-url.mjs';
import { lintDockerfile, parseDockerfile, resolveBaseImages } from './dockerfile-rules.js';
import { localizeS3Arguments, parseS3Url } from './s3-arguments.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TIER_NAMES = ['web', 'api', 'worker'] as const;
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
const dockerfile = (tier: string): string => read(`deploy/docker/${tier}.Dockerfile`);

/** Top-level `threadline` commands, from the real CLI's --help. */
function cliCommands(): string[] {
  const result = spawnSync(process.execPath, ['packages/cli/bin/threadline.mjs', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(result.status, 0, result.stderr);
  const section = result.stdout.split('Commands:')[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((match) => match[1] ?? '');
}

describe('Dockerfile rules', () => {
  for (const tier of TIER_NAMES) {
    it(`${tier}.Dockerfile passes every rule`, () => {
      assert.deepEqual(lintDockerfile(dockerfile(tier)), []);
    });
  }

  it('flags an unpinned, root, health-check-less image that installs dev dependencies', () => {
    const bad = ['FROM node:latest AS deps', 'RUN npm install', 'ADD https://example.com/x.tgz /x', 'FROM node', 'ENV API_TOKEN=abc', 'COPY --from=deps /app /app', 'CMD node main.js'].join('\n');
    const rules = new Set(lintDockerfile(bad).map((finding) => finding.rule));
    for (const rule of ['pinned-base', 'no-latest', 'non-root', 'healthcheck', 'exec-form', 'no-add', 'npm-ci', 'no-secrets', 'prod-deps']) assert.ok(rules.has(rule), rule);
  });

  it('names the line of a finding and joins continued lines', () => {
    const instructions = parseDockerfile('FROM a:1.2.3 AS x\n# comment\nRUN echo 1 \\\n  && echo 2\nUSER root\n');
    assert.deepEqual(instructions.map((entry) => [entry.line, entry.keyword]), [[1, 'FROM'], [3, 'RUN'], [5, 'USER']]);
    assert.equal(instructions[1]?.args, 'echo 1 && echo 2');
    const finding = lintDockerfile('FROM a:1.2.3 AS x\nRUN npm ci --omit=dev\nFROM a:1.2.3\nCOPY --from=x /app /app\nUSER root\n').find((entry) => entry.rule === 'non-root');
    assert.equal(finding?.line, 5);
  });

  it('pins all three images to the same Node release, one of the supported majors', () => {
    const versions = JSON.parse(read('deploy/ci/versions.json')) as { node: string[] }; // the file's documented shape
    const images = new Set(TIER_NAMES.flatMap((tier) => resolveBaseImages(parseDockerfile(dockerfile(tier))).map((base) => base.image)).filter((image) => image.startsWith('node:')));
    assert.equal(images.size, 1, [...images].join(', '));
    const major = /^node:(\d+)\./.exec([...images][0] ?? '')?.[1];
    assert.ok(major && versions.node.includes(major), `node major ${major} is supported`);
  });

  it('exposes the tier ports the CDK task definitions and compose use, with the data dir as a volume', () => {
    for (const tier of TIER_NAMES) {
      const text = dockerfile(tier);
      assert.match(text, new RegExp(`^EXPOSE ${TIERS[tier].port}$`, 'm'), tier);
      assert.match(text, new RegExp(`${TIERS[tier].portEnv}=${TIERS[tier].port}\\b`), tier);
      assert.match(text, /THREADLINE_DATA_DIR=\/data/);
      assert.match(text, /^VOLUME \["\/data"\]$/m);
      assert.match(text, new RegExp(`^CMD \\["${tier}"\\]$`, 'm'));
    }
  });

  it('starts through paths and commands that exist in the repository', () => {
    const commands = cliCommands();
    for (const tier of TIER_NAMES) {
      const instructions = parseDockerfile(dockerfile(tier));
      const exec = [...instructions.filter((entry) => ['ENTRYPOINT', 'HEALTHCHECK'].includes(entry.keyword))].flatMap((entry) => entry.args.match(/deploy\/[\w/.-]+|packages\/[\w/.-]+/g) ?? []);
      assert.ok(exec.length >= 2, tier);
      for (const file of exec) assert.ok(existsSync(path.join(ROOT, file)), `${tier}: ${file} exists`);
      const cmd = JSON.parse(instructions.filter((entry) => entry.keyword === 'CMD').at(-1)?.args ?? '[]') as string[]; // exec form checked by the rules
      assert.ok(commands.includes(cmd[0] ?? ''), `${tier}: \`threadline ${cmd[0]}\` is a command`);
      for (const run of instructions.filter((entry) => entry.keyword === 'RUN')) {
        for (const file of run.args.match(/packages\/[\w/.-]+\.m?[jt]s/g) ?? []) assert.ok(existsSync(path.join(ROOT, file)), file);
        const cli = /threadline\.mjs (\w+)/.exec(run.args)?.[1];
        if (cli) assert.ok(commands.includes(cli), `\`threadline ${cli}\` used in a RUN step is a command`);
      }
    }
  });

  it('keeps local state, secrets and dependencies out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim());
    for (const entry of ['.git', '**/node_modules', 'var', '**/.env', '**/secrets.json', '**/dist']) assert.ok(ignored.includes(entry), entry);
  });
});

describe('compose.yaml', () => {
  const compose = parse(read('deploy/compose.yaml'), { merge: true }) as { services: Record<string, Record<string, unknown>>; volumes: Record<string, unknown> }; // checked field by field below

  it('runs PostgreSQL 15 (pinned) and the three tiers with health checks', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), ['api', 'db', 'web', 'worker']);
    assert.match(String(compose.services.db?.image), /^postgres:15\.\d+-/);
    for (const [name, service] of Object.entries(compose.services)) assert.ok(service.healthcheck, `${name} has a health check`);
  });

  it('builds each tier from its Dockerfile and runs it read-only with /tmp as tmpfs and /data as a volume', () => {
    for (const tier of TIER_NAMES) {
      const service = compose.services[tier] ?? {};
      const build = service.build as { context: string; dockerfile: string }; // compose build object
      assert.ok(existsSync(path.join(ROOT, 'deploy', build.context, build.dockerfile)), `${tier} dockerfile`);
      assert.equal(service.read_only, true);
      assert.deepEqual(service.tmpfs, ['/tmp']);
      assert.ok((service.volumes as string[]).some((volume) => volume.endsWith(':/data')), `${tier} data volume`);
      assert.deepEqual(service.cap_drop, ['ALL']);
      const environment = service.environment as Record<string, string>; // compose environment map
      assert.equal(environment.THREADLINE_TIER, tier);
      assert.equal(environment[TIERS[tier].portEnv], String(TIERS[tier].port));
    }
  });

  it('publishes only the web tier and points it at the API service', () => {
    const published = Object.entries(compose.services).filter(([, service]) => service.ports).map(([name]) => name);
    assert.deepEqual(published, ['web']);
    assert.equal((compose.services.web?.environment as Record<string, string>).THREADLINE_API_URL, 'http://api:8081'); // compose environment map
  });

  it('refuses to start without the secrets instead of using defaults', () => {
    const text = read('deploy/compose.yaml');
    for (const name of ['THREADLINE_PG_PASSWORD', 'THREADLINE_SESSION_SECRET', 'THREADLINE_PSEUDONYM_KEY', 'THREADLINE_PAYMENT_WEBHOOK_SECRET']) {
      assert.match(text, new RegExp(`\\$\\{${name}:\\?`), name);
      assert.match(read('deploy/compose.env.example'), new RegExp(`^${name}=$`, 'm'));
    }
  });
});

describe('DATABASE_URL from PG* variables (image entrypoint)', () => {
  it('percent-encodes user and password and defaults to TLS', () => {
    const url = databaseUrlFromPgEnv({ PGHOST: 'db.internal', PGUSER: 'shop', PGPASSWORD: 'p@ss/w:rd', PGDATABASE: 'threadline' });
    assert.equal(url, 'postgres://shop:p%40ss%2Fw%3Ard@db.internal:5432/threadline?sslmode=require');
    assert.equal(new URL(url ?? '').password, 'p%40ss%2Fw%3Ard');
  });

  it('leaves an explicit DATABASE_URL alone and needs PGHOST', () => {
    assert.equal(databaseUrlFromPgEnv({ DATABASE_URL: 'postgres://x', PGHOST: 'h' }), undefined);
    assert.equal(databaseUrlFromPgEnv({}), undefined);
  });

  it('names the missing variables and a bad port', () => {
    assert.throws(() => databaseUrlFromPgEnv({ PGHOST: 'h' }), /PGUSER, PGDATABASE are not/);
    assert.throws(() => databaseUrlFromPgEnv({ PGHOST: 'h', PGUSER: 'u' }), /PGDATABASE is not/);
    assert.equal(databaseUrlFromPgEnv({ PGHOST: 'h', PGUSER: 'u', PGDATABASE: 'd', PGSSLMODE: 'disable' }), 'postgres://u@h:5432/d?sslmode=disable', 'no password: trust or certificate auth');
    assert.throws(() => databaseUrlFromPgEnv({ PGHOST: 'h', PGUSER: 'u', PGPASSWORD: 'p', PGDATABASE: 'd', PGPORT: '54x' }), /PGPORT must be a port number/);
  });
});

describe('S3 file arguments (survey uploads started by the Lambda)', () => {
  it('downloads the object of `survey import s3://…` into a local file and passes its path on', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'threadline-s3-test-'));
    try {
      const fetched: string[] = [];
      const args = await localizeS3Arguments(['survey', 'import', 's3://lake-raw/surveys/2026-11/How%20we%20met.xlsx', '--format', 'json'], async (object, file) => {
        fetched.push(`${object.bucket}|${object.key}`);
        writeFileSync(file, 'xlsx bytes');
      }, directory);
      assert.deepEqual(fetched, ['lake-raw|surveys/2026-11/How we met.xlsx']);
      assert.deepEqual(args, ['survey', 'import', path.join(directory, 'How we met.xlsx'), '--format', 'json']);
      assert.equal(readFileSync(args[2] ?? '', 'utf8'), 'xlsx bytes');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('leaves other commands and plain paths alone', async () => {
    const never = async (): Promise<void> => assert.fail('nothing to download');
    assert.deepEqual(await localizeS3Arguments(['api'], never), ['api']);
    assert.deepEqual(await localizeS3Arguments(['query', 's3://b/k'], never), ['query', 's3://b/k']);
    assert.deepEqual(await localizeS3Arguments(['survey', 'import', './local.xlsx'], never), ['survey', 'import', './local.xlsx']);
    assert.equal(parseS3Url('s3://Bad_Bucket/k'), undefined);
    assert.equal(parseS3Url('https://bucket/k'), undefined);
  });
});

describe('image start commands, run directly', () => {
  let database: TestDatabase;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'threadline-image-'));
  const children: Array<ReturnType<typeof spawn>> = [];

  before(async () => {
    database = await createTestDatabase({ migrate: false });
  });
  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Runs the image's health check without blocking this process (servers here must answer it). */
  function healthcheck(env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, ['deploy/docker/healthcheck.mjs'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } }, (error, _stdout, stderr) => {
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr });
      });
    });
  }

  async function waitHealthy(env: Record<string, string>, child: ReturnType<typeof spawn>, log: () => string): Promise<void> {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) assert.fail(`process exited ${child.exitCode}:\n${log()}`);
      if ((await healthcheck(env)).status === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.fail(`not healthy within 2 minutes:\n${log()}`);
  }

  function start(tier: 'api' | 'web', env: Record<string, string>): { child: ReturnType<typeof spawn>; log: () => string } {
    const child = spawn(process.execPath, ['deploy/docker/entrypoint.mjs', tier], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: dataDir, NODE_ENV: 'production', THREADLINE_DEMO: '0', ...env } });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return { child, log: () => output.slice(-4000) };
  }

  it('healthcheck.mjs passes on 200, fails on 503 and on an unknown tier', async () => {
    let status = 200;
    const server = createServer((request, response) => {
      response.writeHead(request.url === '/healthz' ? status : 404).end();
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      assert.equal((await healthcheck({ THREADLINE_TIER: 'api', THREADLINE_API_PORT: String(port) })).status, 0);
      status = 503;
      const failing = await healthcheck({ THREADLINE_TIER: 'api', THREADLINE_API_PORT: String(port) });
      assert.equal(failing.status, 1);
      assert.match(failing.stderr, /answered 503/);
      assert.equal((await healthcheck({ THREADLINE_TIER: 'db' })).status, 2);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('starts the API from PG* variables (as ECS injects them) and the web tier in front of it, both healthy', async () => {
    const url = new URL(database.url);
    const apiPort = await freePort();
    const webPort = await freePort();
    const common = { THREADLINE_HOST: '127.0.0.1', THREADLINE_DATA_DIR: dataDir };
    const apiEnv = {
      ...common,
      THREADLINE_TIER: 'api',
      THREADLINE_API_PORT: String(apiPort),
      PGHOST: url.hostname,
      PGPORT: url.port,
      PGUSER: decodeURIComponent(url.username),
      PGPASSWORD: decodeURIComponent(url.password),
      PGDATABASE: url.pathname.slice(1),
      PGSSLMODE: 'disable',
    };
    const api = start('api', apiEnv);
    await waitHealthy(apiEnv, api.child, api.log);
    const ready = await fetch(`http://127.0.0.1:${apiPort}/readyz`);
    assert.equal(ready.status, 200, 'the API reached the database through the composed DATABASE_URL');
    const migrated = await database.pool.query<{ count: number }>("SELECT count(*)::int AS count FROM information_schema.tables WHERE table_name = 'orders'");
    assert.equal(migrated.rows[0]?.count, 1, 'the API migrated the database on start');

    const webEnv = { ...common, THREADLINE_TIER: 'web', PORT: String(webPort), THREADLINE_API_PORT: String(apiPort), THREADLINE_API_URL: `http://127.0.0.1:${apiPort}` };
    const web = start('web', webEnv);
    await waitHealthy(webEnv, web.child, web.log);
    const webReady = await fetch(`http://127.0.0.1:${webPort}/readyz`);
    assert.equal(webReady.status, 200, 'the web tier sees the API as ready');
  });
});
