import { Worker } from 'node:worker_threads';

import type { BatchOutcome, BatchWork, BatchWorkSettings } from './batch-work.js';
import type { WorkerReply, WorkerRequest } from './collect.worker.js';

const WORKER_ENTRY = new URL('./collect.worker.mjs', import.meta.url);
/** A worker that keeps dying is not started again: its share of bodies is worked on in the request's thread. */
const MAX_RESTARTS = 5;

interface Slot {
  worker: Worker;
  isReady: boolean;
  pending: Map<number, { resolve: (outcome: BatchOutcome) => void; reject: (error: Error) => void }>;
}

export interface CollectWorkersOptions {
  /** Worker threads to start (0: none; every body is worked on in the request's thread). */
  count: number;
  settings: BatchWorkSettings;
  /** A worker failed (an error in it, or it exited); it is restarted unless it keeps failing. */
  onWorkerError?: (error: unknown) => void;
}

/**
 * Worker threads that do the CPU-heavy half of `POST /collect` (parse, WAF screen, validation
 * into spool lines: `workOnBatch`), so the request thread only receives bodies, commits the
 * prepared payloads and answers. Bodies are moved to a worker (no copy of the parsed events ever
 * crosses threads: only the body bytes in and the spool payload and id words out).
 *
 * `run` goes to the ready worker with the fewest bodies in hand; it answers undefined when no
 * worker is ready (starting, or given up on), and the caller works on the body itself.
 */
export class CollectWorkers {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private restarts = 0;
  private isStarted = false;
  private isClosed = false;
  private readonly readyWaiters: Array<() => void> = [];

  /** Starts no thread yet: the first `run` does (an API that never collects spends nothing on them). */
  constructor(private readonly options: CollectWorkersOptions) {}

  /** Starts the workers if they are not running; resolves once one is ready to take bodies. */
  whenReady(): Promise<void> {
    this.start();
    if (this.slots.some((slot) => slot.isReady)) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Works on a body in a worker; undefined when none is ready. Moves `work.body`'s buffer (it is detached after). */
  run(work: BatchWork): Promise<BatchOutcome> | undefined {
    this.start();
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (slot.isReady && (best === undefined || slot.pending.size < best.pending.size)) best = slot;
    }
    if (best === undefined) return undefined;
    const slot = best;
    const id = this.nextId;
    this.nextId += 1;
    return new Promise<BatchOutcome>((resolve, reject) => {
      // a worker keeps the process alive only while it holds a body (or boots): see spawn
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(id, { resolve, reject });
      const request: WorkerRequest = { id, work };
      const buffer = work.body.buffer;
      slot.worker.postMessage(request, buffer instanceof ArrayBuffer ? [buffer] : []);
    });
  }

  /** Stops the workers; bodies in hand are refused (their requests answer 500). */
  async close(): Promise<void> {
    this.isClosed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private start(): void {
    if (this.isStarted || this.isClosed) return;
    this.isStarted = true;
    for (let i = 0; i < this.options.count; i += 1) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_ENTRY, { workerData: this.options.settings });
    const slot: Slot = { worker, isReady: false, pending: new Map() };
    worker.on('message', (reply: WorkerReply) => {
      if ('ready' in reply) {
        slot.isReady = true;
        if (slot.pending.size === 0) worker.unref();
        for (const resolve of this.readyWaiters.splice(0)) resolve();
        return;
      }
      const waiting = slot.pending.get(reply.id);
      if (!waiting) return;
      slot.pending.delete(reply.id);
      if (slot.pending.size === 0) worker.unref();
      if ('error' in reply) waiting.reject(new Error(`collect worker: ${reply.error}`));
      else waiting.resolve(reply.outcome);
    });
    worker.on('error', (error) => this.options.onWorkerError?.(error));
    worker.on('exit', (code) => {
      slot.isReady = false;
      for (const waiting of slot.pending.values()) waiting.reject(new Error(`collect worker exited (code ${code})`));
      slot.pending.clear();
      const index = this.slots.indexOf(slot);
      if (this.isClosed || index === -1) return;
      if (this.restarts >= MAX_RESTARTS) {
        this.slots.splice(index, 1);
        return;
      }
      this.restarts += 1;
      this.slots[index] = this.spawn();
    });
    return slot;
  }
}
