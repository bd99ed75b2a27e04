import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';

import { ALLOWED, findCycles, findImports, packageOf } from './check-boundaries.js';

describe('package boundary check', () => {
  it('finds static, type-only, re-export, dynamic and require imports, but not ones in comments', () => {
    const source = [
      "import { a } from '@threadline/db';",
      "import type { B } from './b.js';",
      "export { c } from '../c.js';",
      "// import { gone } from '@threadline/api';",
      "/* import { gone } from '@threadline/worker'; */",
      "const d = await import('@threadline/pipeline');",
      "const e = require('s3rver');",
      "import './side-effect.js';",
    ].join('\n');
    assert.deepEqual(
      findImports(source).map((ref) => [ref.specifier, ref.line]),
      [
        ['@threadline/db', 1],
        ['./b.js', 2],
        ['../c.js', 3],
        ['@threadline/pipeline', 6],
        ['s3rver', 7],
        ['./side-effect.js', 8],
      ],
    );
  });

  it('tells type-only imports and re-exports from value imports', () => {
    const source = ["import type { Cart } from '@threadline/contracts';", "export type { User } from '@threadline/contracts';", "import { CartSchema } from '@threadline/contracts';"].join('\n');
    assert.deepEqual(
      findImports(source).map((ref) => ref.isTypeOnly),
      [true, true, false],
    );
  });

  it('names the package of a deep import', () => {
    assert.equal(packageOf('@threadline/insights/types'), '@threadline/insights');
    assert.equal(packageOf('pg-copy-streams'), 'pg-copy-streams');
    assert.equal(packageOf('date-fns/locale'), 'date-fns');
  });

  it('finds file cycles, including a type-only loop, and nothing in a tree', () => {
    const graph = new Map([
      ['app.ts', new Set(['routes.ts'])],
      ['routes.ts', new Set(['orders.routes.ts'])],
      ['orders.routes.ts', new Set(['app.ts', 'errors.ts'])],
      ['errors.ts', new Set<string>()],
    ]);
    assert.deepEqual(findCycles(graph), [['app.ts', 'orders.routes.ts', 'routes.ts']]);
    graph.get('orders.routes.ts')?.delete('app.ts');
    assert.deepEqual(findCycles(graph), []);
  });

  it('keeps domain free of imports and data packages below the apps', () => {
    assert.deepEqual(ALLOWED.domain, []);
    for (const data of ['lake', 'clickstream', 'survey', 'pipeline', 'insights', 'importer']) {
      for (const app of ['api', 'worker', 'web', 'cli']) assert.ok(!ALLOWED[data]?.includes(app), `${data} → ${app}`);
    }
  });

  it('passes on this repository', () => {
    const script = path.join(import.meta.dirname, 'check-boundaries.ts');
    const output = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    assert.match(output, /no undeclared imports, no arrows against the map, no cycles/);
  });
});
