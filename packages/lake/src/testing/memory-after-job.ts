/**
 * Child process of duckdb.test.ts: runs one large DuckDB job in a fresh process (so no other
 * test's databases touch the allocator), then watches its RSS while it idles. Prints one JSON
 * line: `{ beforeMb, peakMb, afterMb }`, afterMb being the RSS once it fell to `before + an eighth
 * of the job's growth`, or after 15 s if it never did.
 */
import { readFileSync } from 'node:fs';

import { openDuckDb } from '../duckdb.js';

const rssMb = (): number => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;

const db = await openDuckDb({ threads: 2 });
const beforeMb = rssMb();
// a job the size of a large flush: a few hundred MB of DuckDB memory, freed when it ends
await db.run('CREATE TABLE t AS SELECT range AS i, md5(range::VARCHAR) AS s FROM range(3000000)');
await db.all('SELECT s, count(*) AS n FROM t GROUP BY s ORDER BY n DESC LIMIT 1');
await db.run('DROP TABLE t');
const peakMb = rssMb();
const limit = beforeMb + (peakMb - beforeMb) / 8;
let afterMb = peakMb;
for (const deadline = Date.now() + 15_000; afterMb > limit && Date.now() < deadline; afterMb = rssMb()) await new Promise((resolve) => setTimeout(resolve, 250));
db.close();
console.log(JSON.stringify({ beforeMb, peakMb, afterMb }));
