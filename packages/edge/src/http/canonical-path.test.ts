import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { canonicalPath, checkedPath } from './canonical-path.js';

/** Every string of up to `length` characters drawn from `alphabet`. */
function* strings(alphabet: readonly string[], length: number): Generator<string> {
  yield '';
  let previous = [''];
  for (let size = 1; size <= length; size += 1) {
    const next: string[] = [];
    for (const start of previous) {
      for (const char of alphabet) {
        next.push(start + char);
        yield start + char;
      }
    }
    previous = next;
  }
}

describe('canonicalPath', () => {
  it('answers every short path as the full rules do (the plain-path shortcut changes no verdict)', () => {
    // separators, dots, percent-encoding pieces, a sub-delimiter, an unreserved mark, a backslash, a control character and a space
    const alphabet = ['/', 'a', '.', '%', '2', 'e', '~', ';', '\\', '\u0001', ' '];
    let compared = 0;
    let plainAccepted = 0;
    for (const raw of strings(alphabet, 5)) {
      const verdict = canonicalPath(raw);
      assert.deepEqual(verdict, checkedPath(raw), JSON.stringify(raw));
      if (verdict.ok) plainAccepted += 1;
      compared += 1;
    }
    assert.equal(compared, 177_156);
    assert.ok(plainAccepted > 1_000, `${plainAccepted} accepted paths compared`);
  });

  it('takes the query off first and names the reason for a second spelling', () => {
    assert.deepEqual(canonicalPath('/api/products/12?cursor=%2e%2e#x'), { ok: true, path: '/api/products/12' });
    assert.deepEqual(canonicalPath('/'), { ok: true, path: '/' });
    assert.deepEqual(canonicalPath('/.well-known/security.txt'), { ok: true, path: '/.well-known/security.txt' });
    assert.deepEqual(canonicalPath('/api/./orders'), { ok: false, reason: 'dot-segment' });
    assert.deepEqual(canonicalPath('/api/..'), { ok: false, reason: 'dot-segment' });
    assert.deepEqual(canonicalPath('/api//orders'), { ok: false, reason: 'empty-segment' });
    assert.deepEqual(canonicalPath('/%61pi/orders'), { ok: false, reason: 'encoded-unreserved' });
    assert.deepEqual(canonicalPath('/api/linen%20shirt'), { ok: true, path: '/api/linen shirt' });
  });
});
