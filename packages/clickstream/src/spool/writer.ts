import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, type FileHandle } from 'node:fs/promises';

import { LakeError } from '@threadline/lake';

import { recordHeader } from './format.js';
import { isErrno, listSegments, recoverSegments, segmentName } from './segments.js';

export interface SpoolWriterOptions {
  /** Directory of this stream's segments, e.g. `<dataDir>/spool/clickstream`. */
  dir: string;
  /** Rotate to a new segment past this size. Default 64 MiB. */
  segmentBytes?: number;
  /** Refuse appends while the spool holds this much (unflushed) data. Default 1 GiB. */
  maxSpoolBytes?: number;
  /** After a write error, wait this long before probing the disk again. Default 5 s. */
  retryAfterMs?: number;
}

/** Why the spool cannot accept data right now; `retryAfterSeconds` feeds the HTTP Retry-After. */
export interface SpoolFailure {
  reason: 'full' | 'io_error';
  message: string;
  retryAfterSeconds: number;
}

interface Pending {
  /** Header and payload of one record, written together with no copy of the payload. */
  header: Buffer;
  payload: Buffer;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The durable append-only spool. `append()` resolves only after the record is on disk
 * (`fdatasync`); concurrent appends are grouped into one write + one sync, which is what makes
 * tens of thousands of acknowledged events per second possible on one disk.
 *
 * On any write or sync error the current segment is abandoned (sealed, never appended to again,
 * its torn tail ignored by readers) and the spool reports a failure until a probe write on a new
 * segment succeeds. A failing append never acknowledges anything.
 */
export class SpoolWriter {
  private readonly dir: string;
  private readonly segmentBytes: number;
  private readonly maxSpoolBytes: number;
  private readonly retryAfterMs: number;
  private readonly nonce = randomBytes(4).toString('hex');
  private readonly startMs = Date.now();
  private seq = 0;
  private handle: FileHandle | undefined;
  private segmentPath = '';
  private segmentSize = 0;
  private queue: Pending[] = [];
  private isDraining = false;
  private failure: (SpoolFailure & { at: number }) | undefined;
  private usedBytes = 0;
  private usageTimer: NodeJS.Timeout | undefined;
  private isClosed = false;

  constructor(options: SpoolWriterOptions) {
    this.dir = options.dir;
    this.segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
    this.maxSpoolBytes = options.maxSpoolBytes ?? 1024 * 1024 * 1024;
    this.retryAfterMs = options.retryAfterMs ?? 5000;
  }

  /** Creates the directory, recovers segments of crashed writers and measures the backlog. */
  async start(): Promise<{ sealed: number; truncatedBytes: number }> {
    let recovered = { sealed: 0, truncatedBytes: 0 };
    try {
      await mkdir(this.dir, { recursive: true });
      recovered = await recoverSegments(this.dir);
      await this.refreshUsage();
    } catch (error) {
      this.fail('io_error', error);
    }
    // the flusher deletes delivered segments; re-measure so a drained spool accepts again
    this.usageTimer = setInterval(() => void this.refreshUsage().catch(() => undefined), 2000);
    this.usageTimer.unref();
    return recovered;
  }

  /** Current failure, if the spool cannot accept data. Probes the disk again when due. */
  async health(): Promise<SpoolFailure | undefined> {
    if (this.failure && Date.now() - this.failure.at >= this.retryAfterMs) await this.probe();
    if (!this.failure && this.usedBytes >= this.maxSpoolBytes) {
      return { reason: 'full', message: `spool holds ${this.usedBytes} bytes (limit ${this.maxSpoolBytes}); waiting for the flusher`, retryAfterSeconds: 5 };
    }
    if (!this.failure) return undefined;
    const { reason, message, retryAfterSeconds } = this.failure;
    return { reason, message, retryAfterSeconds };
  }

  /**
   * Appends one payload durably. The payload is written as it is (not copied): do not change it
   * until the returned promise settles. Rejects with `LakeError('SPOOL_UNAVAILABLE')` (cause: the
   * SpoolFailure) when the spool is full or the disk fails.
   */
  async append(payload: Buffer): Promise<void> {
    const failure = await this.health();
    if (failure) throw spoolUnavailable(failure);
    if (this.isClosed) throw spoolUnavailable({ reason: 'io_error', message: 'spool is closed', retryAfterSeconds: 1 });
    const header = recordHeader(payload);
    this.usedBytes += header.length + payload.length;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ header, payload, resolve, reject });
      if (!this.isDraining) void this.drain();
    });
  }

  /** Seals the current segment and stops. Pending appends finish first. */
  async close(): Promise<void> {
    this.isClosed = true;
    if (this.usageTimer) clearInterval(this.usageTimer);
    while (this.isDraining) await new Promise((r) => setTimeout(r, 5));
    await this.sealCurrent();
  }

  private async drain(): Promise<void> {
    this.isDraining = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue;
        this.queue = [];
        try {
          // one gathered write of every record's header and payload: no concatenated copy
          const buffers: Buffer[] = [];
          for (const p of group) buffers.push(p.header, p.payload);
          await this.writeDurably(buffers);
          for (const p of group) p.resolve();
        } catch (error) {
          this.fail(isErrno(error, 'ENOSPC') || isErrno(error, 'EDQUOT') ? 'full' : 'io_error', error);
          await this.abandonCurrent();
          const failure = this.failure;
          for (const p of group) p.reject(spoolUnavailable(failure ?? { reason: 'io_error', message: String(error), retryAfterSeconds: 5 }, error));
        }
      }
    } finally {
      this.isDraining = false;
    }
  }

  private async writeDurably(buffers: readonly Buffer[]): Promise<void> {
    if (!this.handle || this.segmentSize >= this.segmentBytes) await this.rotate();
    const handle = this.handle;
    if (!handle) throw new Error('no open segment');
    const total = buffers.reduce((sum, b) => sum + b.length, 0);
    let pending = buffers.filter((b) => b.length > 0);
    let written = 0;
    while (written < total) {
      const { bytesWritten } = await handle.writev(pending, this.segmentSize + written);
      if (bytesWritten <= 0) throw new Error('spool write made no progress');
      written += bytesWritten;
      pending = remainingAfter(pending, bytesWritten);
    }
    this.segmentSize += written;
    await handle.datasync();
  }

  private async rotate(): Promise<void> {
    await this.sealCurrent();
    this.seq += 1;
    this.segmentPath = `${this.dir}/${segmentName(this.startMs, process.pid, this.nonce, this.seq, false)}`;
    this.handle = await open(this.segmentPath, 'wx');
    this.segmentSize = 0;
    // the new directory entry must survive a power cut too, or acknowledged records vanish with it
    const dirHandle = await open(this.dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }

  private async sealCurrent(): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    this.handle = undefined;
    await handle.close().catch(() => undefined);
    await rename(this.segmentPath, this.segmentPath.replace(/\.open$/, '.sealed')).catch(() => undefined);
  }

  /** After an I/O error the segment may end in a torn record: never append to it again. */
  private async abandonCurrent(): Promise<void> {
    await this.sealCurrent();
  }

  private async probe(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
      await this.abandonCurrent();
      await this.writeDurably([recordHeader(Buffer.alloc(0))]);
      this.failure = undefined;
      await this.refreshUsage();
    } catch (error) {
      await this.abandonCurrent();
      this.fail(isErrno(error, 'ENOSPC') || isErrno(error, 'EDQUOT') ? 'full' : 'io_error', error);
    }
  }

  private fail(reason: SpoolFailure['reason'], error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.failure = { reason, message: `spool ${reason === 'full' ? 'disk is full' : 'cannot write'}: ${message}`, retryAfterSeconds: Math.ceil(this.retryAfterMs / 1000), at: Date.now() };
  }

  private async refreshUsage(): Promise<void> {
    const segments = await listSegments(this.dir);
    this.usedBytes = segments.reduce((sum, s) => sum + s.size, 0);
  }
}

/** What is left of `buffers` once the first `count` bytes are written (a short write). */
export function remainingAfter(buffers: readonly Buffer[], count: number): Buffer[] {
  let skip = count;
  let index = 0;
  while (index < buffers.length && skip >= (buffers[index]?.length ?? 0)) {
    skip -= buffers[index]?.length ?? 0;
    index += 1;
  }
  const rest = buffers.slice(index);
  const first = rest[0];
  if (first && skip > 0) rest[0] = first.subarray(skip);
  return rest;
}

function spoolUnavailable(failure: SpoolFailure, cause?: unknown): LakeError {
  const error = new LakeError('SPOOL_UNAVAILABLE', failure.message, { cause: cause ?? failure });
  return Object.assign(error, { retryAfterSeconds: failure.retryAfterSeconds });
}

/** Seconds a client should wait, from a SPOOL_UNAVAILABLE error (default 5). */
export function retryAfterOf(error: unknown): number {
  if (typeof error === 'object' && error !== null && 'retryAfterSeconds' in error && typeof error.retryAfterSeconds === 'number') {
    return error.retryAfterSeconds;
  }
  return 5;
}
