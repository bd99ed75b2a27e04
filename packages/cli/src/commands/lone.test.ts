import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Command } from 'commander';

import { COMMANDS } from './index.js';
import { loneCommand } from './lone.js';

test('start and the processes it runs load alone, and register the same command as the full list', async () => {
  const full = new Command('threadline');
  for (const register of COMMANDS) register(full);
  for (const name of ['start', 'db', 'api', 'web', 'worker']) {
    const load = loneCommand(name);
    assert.ok(load, name);
    const alone = new Command('threadline');
    (await load())(alone);
    const command = alone.commands.find((entry) => entry.name() === name);
    assert.ok(command, `${name} is registered when loaded alone`);
    const inFull = full.commands.find((entry) => entry.name() === name);
    assert.equal(command.description(), inFull?.description());
    assert.deepEqual(
      command.options.map((option) => option.flags),
      inFull?.options.map((option) => option.flags),
    );
  }
});

test('help, unknown names and every other command load the full list', () => {
  for (const name of [undefined, '--help', 'help', 'seed', 'pipeline', 'constructor', '__proto__', 'nope']) {
    assert.equal(loneCommand(name), undefined, String(name));
  }
});
