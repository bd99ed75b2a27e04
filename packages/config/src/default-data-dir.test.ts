import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import { defaultDataDir, firstPrivateAncestor, SYSTEM_DATA_ROOT } from './default-data-dir.js';

describe('default data directory', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'tl-datadir-'));
  after(() => rmSync(base, { recursive: true, force: true }));

  it('is ./var of the checkout when every directory on the way is open to other users', () => {
    chmodSync(base, 0o755);
    const checkout = path.join(base, 'open', 'shop');
    mkdirSync(checkout, { recursive: true });
    assert.equal(firstPrivateAncestor(path.join(checkout, 'var')), undefined);
    assert.deepEqual(defaultDataDir({ cwd: checkout, isRoot: true, usesEmbeddedDatabase: true }), { dir: path.join(checkout, 'var') });
  });

  it('moves to /var/lib/threadline/<id> for root under a private directory, the same id every time', () => {
    const home = path.join(base, 'home');
    const checkout = path.join(home, 'shop');
    mkdirSync(checkout, { recursive: true });
    chmodSync(home, 0o700);
    const first = defaultDataDir({ cwd: checkout, isRoot: true, usesEmbeddedDatabase: true });
    assert.equal(first.privateAncestor, home);
    assert.match(first.dir, new RegExp(`^${SYSTEM_DATA_ROOT}/[0-9a-f]{12}$`));
    assert.deepEqual(defaultDataDir({ cwd: checkout, isRoot: true, usesEmbeddedDatabase: true }), first);
    // not root (the server runs as the current user) or an external database: ./var is fine
    assert.equal(defaultDataDir({ cwd: checkout, isRoot: false, usesEmbeddedDatabase: true }).dir, path.join(checkout, 'var'));
    assert.equal(defaultDataDir({ cwd: checkout, isRoot: true, usesEmbeddedDatabase: false }).dir, path.join(checkout, 'var'));
  });
});
