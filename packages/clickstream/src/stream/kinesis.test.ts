import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { CreateStreamCommand, DescribeStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';

import { withDuckDb, LocalLakeStorage } from '@threadline/lake';
import { startKinesalite } from '@threadline/lake/testing';

import { ClickstreamFlusher } from '../delivery/flusher.js';
import { storedEvent, toPayload } from '../delivery/testing/events.js';
import { KinesisSink, KinesisSource, kinesisClientConfig, splitPayload } from './kinesis.js';

describe('Kinesis stream (kinesalite on loopback)', () => {
  let dir: string;
  let server: { endpoint: string; close(): Promise<void> };
  let client: KinesisClient;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tl-kinesis-'));
    server = await startKinesalite();
    client = new KinesisClient(kinesisClientConfig({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
    await client.send(new CreateStreamCommand({ StreamName: 'clicks', ShardCount: 2 }));
    for (let i = 0; i < 50; i += 1) {
      const status = (await client.send(new DescribeStreamCommand({ StreamName: 'clicks' }))).StreamDescription?.StreamStatus;
      if (status === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(async () => {
    client.destroy();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('splits payloads on line boundaries under the record limit', () => {
    const payload = Buffer.from('aaaa\nbbbb\ncccc\n');
    assert.deepEqual(splitPayload(payload, 10).map(String), ['aaaa\nbbbb\n', 'cccc\n']);
    assert.throws(() => splitPayload(Buffer.from('aaaaaaaaaaaa\n'), 5), /larger than/);
  });

  it('delivers what PutRecords acknowledged into the lake once, resuming after the checkpoint', async () => {
    const sink = new KinesisSink({ streamName: 'clicks', client });
    const source = new KinesisSource({ streamName: 'clicks', client });
    const first = Array.from({ length: 40 }, () => storedEvent());
    for (let i = 0; i < 40; i += 10) await sink.append(toPayload(first.slice(i, i + 10)));
    const lake = path.join(dir, 'lake');
    const state = path.join(dir, 'state');
    const flusher = new ClickstreamFlusher({ source, storage: new LocalLakeStorage(lake), stateDir: state });
    assert.equal((await flusher.drain()).reduce((n, r) => n + r.events, 0), 40);
    flusher.close();
    // more records, and a new flusher process that resumes from the committed sequence numbers
    const second = Array.from({ length: 15 }, () => storedEvent());
    await sink.append(toPayload(second));
    const again = new ClickstreamFlusher({ source, storage: new LocalLakeStorage(lake), stateDir: state });
    await again.recover();
    assert.equal((await again.drain()).reduce((n, r) => n + r.events, 0), 15);
    again.close();
    const ids = await withDuckDb(async (db) =>
      (await db.all<{ id: string }>('SELECT event_id::VARCHAR AS id FROM read_parquet(?, hive_partitioning = false)', [path.join(lake, 'raw', 'clickstream', '**', '*.parquet')])).map((r) => r.id),
    );
    assert.equal(ids.length, 55);
    assert.deepEqual(new Set(ids), new Set([...first, ...second].map((e) => e.event_id)));
  });
});
