import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import { Supervisor, type ServiceSpec } from './supervisor.js';

describe('Supervisor.stopAll', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'threadline-supervisor-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stops every tier at once and the database only after they have all exited', async () => {
    const journal = path.join(dir, 'journal');
    writeFileSync(journal, '');
    // a tier that, like the API, takes a while to drain after SIGTERM and writes down what happened
    const child = path.join(dir, 'tier.cjs');
    writeFileSync(
      child,
      `const fs = require('node:fs');
       const note = (what) => fs.appendFileSync(${JSON.stringify(journal)}, process.argv[2] + ' ' + what + '\\n');
       process.on('SIGTERM', () => { note('term'); setTimeout(() => { note('exit'); process.exit(0); }, 400); });
       setInterval(() => undefined, 1000);
       process.send({ type: 'ready' });`,
    );
    const spec = (name: string, isStoppedLast = false): ServiceSpec => ({ name, command: process.execPath, args: [child, name], isStoppedLast, isRestartable: false });
    const supervisor = new Supervisor(() => undefined, ['db', 'api-1', 'api-2', 'web'], false);
    for (const service of [spec('db', true), spec('api-1'), spec('api-2'), spec('web')]) await supervisor.start(service);
    appendFileSync(journal, 'stop\n');

    await supervisor.stopAll();

    const lines = readFileSync(journal, 'utf8').trim().split('\n').slice(1);
    const at = (line: string): number => lines.indexOf(line);
    for (const tier of ['api-1', 'api-2', 'web']) {
      assert.ok(at(`${tier} term`) >= 0 && at(`${tier} exit`) > at(`${tier} term`), `${tier} was stopped: ${lines.join(', ')}`);
      // all at once: every tier had its SIGTERM before the first one finished draining
      assert.ok(at(`${tier} term`) < Math.min(at('api-1 exit'), at('api-2 exit'), at('web exit')), `${tier} waited for another tier: ${lines.join(', ')}`);
      assert.ok(at(`${tier} exit`) < at('db term'), `the database stopped before ${tier} had finished: ${lines.join(', ')}`);
    }
    assert.ok(at('db exit') > at('db term'));
    assert.deepEqual(supervisor.names(), []);
  });
});
