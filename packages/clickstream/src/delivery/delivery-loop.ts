import path from 'node:path';

import type { LakeStorage } from '@threadline/lake';

import type { ClickstreamSettings } from '../collect/settings.js';
import { SpoolSource } from '../stream/spool-source.js';
import type { StreamSource } from '../stream/stream.js';
import { ClickstreamCompactor } from './compactor.js';
import { ClickstreamFlusher, type FlushResult } from './flusher.js';
import { acquirePidLock } from './state.js';

export interface DeliveryLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface DeliveryStatus {
  lastFlushAt: number | undefined;
  lastError: string | undefined;
  flushedEvents: number;
}

/**
 * DuckDB caps of the flush, which the worker runs all day (compaction and the rollup have their
 * own: THREADLINE_COMPACT_MEMORY, one thread): the job
 * keeps its database open between runs, so an explicit small budget — well above a 64 MiB flush
 * batch, which DuckDB spills beyond — keeps its buffers and caches from growing towards the
 * lake's 2GB default in a process that lives for weeks.
 */
export const DELIVERY_DUCKDB_LIMITS = { threads: 2, memoryLimit: '512MB' } as const;

/**
 * Runs flush → compact → rollup in one sequential loop (so the three never race on a
 * partition), holding a pid lock so only one deliverer works on a spool. Flushes when
 * `flushSeconds` have passed or `flushMaxBytes` are pending; compacts finished hours once a
 * minute; rebuilds the rollup rows of the UTC hours that received events at most every
 * `rollupEveryMs` (only those hours: the rest of the day is kept from its rollup file).
 */
export class DeliveryLoop {
  readonly flusher: ClickstreamFlusher;
  readonly compactor: ClickstreamCompactor;
  readonly status: DeliveryStatus = { lastFlushAt: undefined, lastError: undefined, flushedEvents: 0 };
  private timer: NodeJS.Timeout | undefined;
  private isRunning = false;
  private isStopped = false;
  private releaseLock: (() => Promise<void>) | undefined;
  private lastFlush = Date.now();
  private lastCompact = 0;
  private lastRollup = 0;
  /** UTC hours whose rollup rows are out of date, by day (the hours flushes wrote to). */
  private readonly dirtyHours = new Map<string, Set<number>>();

  constructor(
    private readonly settings: ClickstreamSettings,
    private readonly source: StreamSource,
    storage: LakeStorage,
    private readonly logger: DeliveryLogger,
    private readonly rollupEveryMs = 60_000,
  ) {
    this.flusher = new ClickstreamFlusher({ source, storage, stateDir: settings.flusherStateDir, maxBytes: settings.flushMaxBytes, ...DELIVERY_DUCKDB_LIMITS });
    // compaction sorts a whole hour: its own cap (THREADLINE_COMPACT_MEMORY) and one thread
    this.compactor = new ClickstreamCompactor({
      storage,
      stateDir: path.join(settings.flusherStateDir, 'compactor'),
      compactAfterMs: settings.compactAfterMs,
      threads: 1,
      memoryLimit: settings.compactMemoryLimit,
    });
  }

  async start(): Promise<void> {
    this.releaseLock = await acquirePidLock(path.join(this.settings.flusherStateDir, 'deliverer.lock'));
    if (this.source instanceof SpoolSource) {
      const recovered = await this.source.recover();
      if (recovered.sealed > 0) this.logger.info(recovered, 'spool: sealed segments of crashed writers');
    }
    const { rolledForward } = await this.flusher.recover();
    if (rolledForward !== undefined) this.logger.info({ flush: rolledForward }, 'flusher: rolled forward an interrupted flush');
    await this.compactor.recover();
    this.logger.info(await this.compactor.duckDbCaps(), 'compaction DuckDB caps (THREADLINE_COMPACT_MEMORY)');
    // opened only to read them: each rollup rebuild and compaction opens it again and closes it after
    this.compactor.close();
    this.timer = setInterval(() => void this.tick(), 1000);
  }

  /** One pass of the loop (also called by tests and on shutdown). */
  async tick(options: { force?: boolean } = {}): Promise<void> {
    if (this.isRunning || (this.isStopped && !options.force)) return;
    this.isRunning = true;
    try {
      const now = Date.now();
      const isDue = options.force || now - this.lastFlush >= this.settings.flushSeconds * 1000 || (await this.pendingBytes()) >= this.settings.flushMaxBytes;
      if (isDue) {
        this.lastFlush = now;
        // one flush of what is pending, more only while a backlog beyond flushMaxBytes remains: events
        // that arrive during a flush wait for the next one (flushing again until the source was
        // empty wrote a small file per pass — up to 39 a minute under the soak's load, then without
        // pause — and every later flush and rollup of the hour read them all; docs/clickstream.md)
        for (let result = await this.flusher.flushOnce(); result; result = result.hasMore ? await this.flusher.flushOnce() : undefined) this.noteFlush(result);
      }
      if (options.force || now - this.lastCompact >= 60_000) {
        this.lastCompact = now;
        const { compacted, rollupDays, rollupHours } = await this.compactor.compactDue();
        for (const [day, hours] of rollupHours) {
          const dirty = this.dirtyHours.get(day);
          for (const hour of hours) dirty?.delete(hour);
          if (dirty?.size === 0) this.dirtyHours.delete(day);
        }
        if (compacted.length > 0) this.logger.info({ partitions: compacted.length, days: rollupDays }, 'compacted hour partitions');
      }
      if (this.dirtyHours.size > 0 && (options.force || now - this.lastRollup >= this.rollupEveryMs)) {
        this.lastRollup = now;
        for (const [day, hours] of [...this.dirtyHours]) {
          // hours marked while this rebuild runs stay marked for the next one (each rebuild closes its DuckDB)
          const rebuilt = [...hours];
          await this.compactor.rebuildRollup(day, rebuilt);
          for (const hour of rebuilt) hours.delete(hour);
          if (hours.size === 0) this.dirtyHours.delete(day);
        }
      }
      this.status.lastError = undefined;
    } catch (error) {
      this.status.lastError = error instanceof Error ? error.message : String(error);
      this.logger.error({ err: error }, 'clickstream delivery failed; retrying next tick');
    } finally {
      this.isRunning = false;
    }
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    if (this.timer) clearInterval(this.timer);
    while (this.isRunning) await new Promise((r) => setTimeout(r, 20));
    // deliver what is acknowledged before leaving; compaction waits for the next start
    try {
      for (let result = await this.flusher.flushOnce(); result; result = await this.flusher.flushOnce()) this.noteFlush(result);
    } catch (error) {
      this.logger.error({ err: error }, 'final flush failed; the spool keeps the events for the next start');
    }
    this.flusher.close();
    this.compactor.close();
    await this.releaseLock?.();
  }

  private noteFlush(result: FlushResult): void {
    this.status.lastFlushAt = Date.now();
    this.status.flushedEvents += result.events;
    for (const partition of result.partitions) {
      // `dt=YYYY-MM-DD/hour=HH`
      const day = partition.slice(3, 13);
      const hours = this.dirtyHours.get(day) ?? new Set<number>();
      hours.add(Number(partition.slice(-2)));
      this.dirtyHours.set(day, hours);
    }
    this.logger.info({ flush: result.flush, events: result.events, late: result.late, duplicates: result.duplicates, files: result.files, stagesMs: result.stages }, 'flushed clickstream to the lake');
  }

  private async pendingBytes(): Promise<number> {
    if (!(this.source instanceof SpoolSource)) return 0;
    return this.source.pendingBytes((await this.flusher.checkpoint()).position);
  }
}
