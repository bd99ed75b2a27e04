/**
 * The archive command is run by PostgreSQL through /bin/sh: the paths in it (the pgBackRest config,
 * the standby's data directory) reach pgBackRest as one word each, whatever they contain.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';

import { archiveCommand, shellQuote } from './backup-config.js';

/** The words /bin/sh makes of `line`, one per output line. */
function shellWords(line: string): string[] {
  return execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${line}`], { encoding: 'utf8' }).trimEnd().split('\n');
}

describe('archive command quoting', () => {
  it('keeps a value with spaces, quotes, $ and backslashes one word, as it was', () => {
    for (const value of ["/var/lib/it's here/pg", '/data/a b/$HOME/`x`', 'back\\slash', "''", "a'b'c"]) {
      assert.deepEqual(shellWords(shellQuote(value)), [value]);
    }
  });

  it('passes the config path to pgBackRest as one --config word', () => {
    const command = archiveCommand({ configPath: "/srv/shop's data/backups/pgbackrest.conf", stanza: 'threadline' }, '/usr/bin/pgbackrest');
    assert.deepEqual(shellWords(command.replace('%p', 'pg_wal/000000010000000000000001')), [
      '/usr/bin/pgbackrest',
      "--config=/srv/shop's data/backups/pgbackrest.conf",
      '--stanza=threadline',
      'archive-push',
      'pg_wal/000000010000000000000001',
    ]);
  });
});
