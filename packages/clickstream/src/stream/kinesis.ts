import { randomUUID } from 'node:crypto';

import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand, PutRecordsCommand, type KinesisClientConfig, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

import { LakeError } from '@threadline/lake';

import type { StreamBatch, StreamPosition, StreamSink, StreamSource } from './stream.js';

/** Kinesis caps one record at 1 MiB and one PutRecords call at 500 records / 5 MiB. */
const MAX_RECORD_BYTES = 1000 * 1024;
const MAX_RECORDS_PER_PUT = 500;

export interface KinesisOptions {
  streamName: string;
  client?: KinesisClient;
  clientConfig?: KinesisClientConfig;
}

function clientOf(options: KinesisOptions): KinesisClient {
  return options.client ?? new KinesisClient(kinesisClientConfig(options.clientConfig ?? {}));
}

/**
 * Client settings: with a custom endpoint (a local stand-in such as kinesalite, or a VPC
 * endpoint proxy) requests go over HTTP/1.1 — the SDK's default HTTP/2 handler is only needed
 * for SubscribeToShard, which Threadline does not use.
 */
export function kinesisClientConfig(config: KinesisClientConfig): KinesisClientConfig {
  return config.endpoint === undefined || config.requestHandler !== undefined ? config : { ...config, requestHandler: new NodeHttpHandler() };
}

/**
 * Splits an NDJSON payload into chunks of whole lines under the Kinesis record limit.
 */
export function splitPayload(payload: Buffer, maxBytes = MAX_RECORD_BYTES): Buffer[] {
  if (payload.length <= maxBytes) return [payload];
  const chunks: Buffer[] = [];
  let start = 0;
  while (start < payload.length) {
    let end = Math.min(start + maxBytes, payload.length);
    if (end < payload.length) {
      const newline = payload.lastIndexOf(10, end - 1);
      if (newline < start) throw new LakeError('STREAM_FAILED', `one event is larger than ${maxBytes} bytes`);
      end = newline + 1;
    }
    chunks.push(payload.subarray(start, end));
    start = end;
  }
  return chunks;
}

/**
 * The collector's sink on Kinesis Data Streams: `append` resolves when PutRecords has accepted
 * every record (Kinesis replicates across three AZs before answering: that is "durable").
 * Records a throttled PutRecords left out are retried; if they still fail, the batch is not
 * acknowledged and the client retries (ids make the retry idempotent downstream).
 */
export class KinesisSink implements StreamSink {
  readonly kind = 'kinesis' as const;
  private readonly client: KinesisClient;

  constructor(private readonly options: KinesisOptions) {
    this.client = clientOf(options);
  }

  async append(payload: Buffer): Promise<void> {
    let entries: PutRecordsRequestEntry[] = splitPayload(payload).map((data) => ({ Data: data, PartitionKey: randomUUID() }));
    for (let attempt = 0; entries.length > 0; attempt += 1) {
      if (attempt === 4) throw new LakeError('SPOOL_UNAVAILABLE', `Kinesis kept refusing ${entries.length} records`);
      const failed: PutRecordsRequestEntry[] = [];
      for (let i = 0; i < entries.length; i += MAX_RECORDS_PER_PUT) {
        const chunk = entries.slice(i, i + MAX_RECORDS_PER_PUT);
        let result;
        try {
          result = await this.client.send(new PutRecordsCommand({ StreamName: this.options.streamName, Records: chunk }));
        } catch (cause) {
          throw new LakeError('SPOOL_UNAVAILABLE', `Kinesis PutRecords failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
        }
        (result.Records ?? []).forEach((r, index) => {
          const entry = chunk[index];
          if (r.ErrorCode && entry) failed.push(entry);
        });
      }
      entries = failed;
      if (entries.length > 0) await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
}

/**
 * Kinesis as the flusher's source. Position: `{ <shardId>: <last delivered sequence number> }`,
 * stored in the flusher's committed checkpoint (the role a KCL lease table plays in AWS), so a
 * restart resumes AFTER_SEQUENCE_NUMBER and never re-delivers or skips a record.
 */
export class KinesisSource implements StreamSource {
  readonly kind = 'kinesis' as const;
  private readonly client: KinesisClient;

  constructor(private readonly options: KinesisOptions) {
    this.client = clientOf(options);
  }

  async read(from: StreamPosition, maxBytes: number): Promise<StreamBatch> {
    const payloads: Buffer[] = [];
    const position: StreamPosition = { ...from };
    let bytes = 0;
    try {
      const shards = await this.client.send(new ListShardsCommand({ StreamName: this.options.streamName }));
      for (const shard of shards.Shards ?? []) {
        const shardId = shard.ShardId;
        if (!shardId || bytes >= maxBytes) continue;
        const after = from[shardId];
        const iterator = await this.client.send(
          new GetShardIteratorCommand(
            typeof after === 'string'
              ? { StreamName: this.options.streamName, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after }
              : { StreamName: this.options.streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' },
          ),
        );
        let next = iterator.ShardIterator;
        while (next && bytes < maxBytes) {
          const page = await this.client.send(new GetRecordsCommand({ ShardIterator: next, Limit: 1000 }));
          const records = page.Records ?? [];
          for (const record of records) {
            if (!record.Data || !record.SequenceNumber) continue;
            const data = Buffer.from(record.Data);
            payloads.push(data);
            bytes += data.length;
            position[shardId] = record.SequenceNumber;
            if (bytes >= maxBytes) break;
          }
          if (records.length === 0 || page.MillisBehindLatest === 0) break;
          next = page.NextShardIterator;
        }
      }
    } catch (cause) {
      throw new LakeError('STREAM_FAILED', `Kinesis read failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
    // the budget stopped the read (a shard may hold more); otherwise every shard was read to its tip
    return { payloads, position, bytes, hasMore: bytes >= maxBytes };
  }

  /** Kinesis expires records by its retention period; nothing to delete. */
  async release(): Promise<void> {}
}
