/**
 * Where acknowledged events wait for delivery into the lake (the Kinesis Data Streams part).
 * A source is read from an opaque position; the flusher stores that position in its committed
 * checkpoint, so a restart re-reads exactly what was not yet delivered.
 */
export type StreamPosition = { [key: string]: string | number | StreamPosition };

export interface StreamBatch {
  /** NDJSON payloads, each the accepted events of one collected batch. */
  payloads: Buffer[];
  /** Position after these payloads. */
  position: StreamPosition;
  bytes: number;
  /** True when the read stopped at `maxBytes` with payloads left behind it: a backlog to read again at once. */
  hasMore: boolean;
}

export interface StreamSource {
  readonly kind: 'spool' | 'kinesis';
  /** Reads payloads after `from`, about `maxBytes` at most. The payloads are valid until the next `read` (the spool reuses its buffer). */
  read(from: StreamPosition, maxBytes: number): Promise<StreamBatch>;
  /** Called after `position` is committed: the source may drop what lies before it. */
  release(position: StreamPosition): Promise<void>;
}

/** Where the collector appends acknowledged batches: resolves once durable. */
export interface StreamSink {
  readonly kind: 'spool' | 'kinesis';
  append(payload: Buffer): Promise<void>;
}
