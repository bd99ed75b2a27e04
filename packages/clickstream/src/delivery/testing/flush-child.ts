/**
 * Test helper process: flushes a spool into a lake in small batches until drained, printing
 * progress. The crash tests kill it with SIGKILL at arbitrary moments.
 * Usage: tsx flush-child.ts <spoolDir> <lakeRoot> <stateDir> <maxBytes>
 */
import { LocalLakeStorage } from '@threadline/lake';

import { SpoolSource } from '../../stream/spool-source.js';
import { ClickstreamFlusher } from '../flusher.js';

const [spoolDir, lake, stateDir, maxBytes] = process.argv.slice(2);
if (!spoolDir || !lake || !stateDir || !maxBytes) throw new Error('usage: flush-child <spoolDir> <lakeRoot> <stateDir> <maxBytes>');
const flusher = new ClickstreamFlusher({ source: new SpoolSource(spoolDir), storage: new LocalLakeStorage(lake), stateDir, maxBytes: Number(maxBytes), threads: 1 });
await flusher.recover();
for (let result = await flusher.flushOnce(); result; result = await flusher.flushOnce()) process.stdout.write(`flushed ${result.flush} ${result.events}\n`);
flusher.close();
process.stdout.write('drained\n');
