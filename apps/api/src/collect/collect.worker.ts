import { parentPort, workerData } from 'node:worker_threads';

import { workOnBatch, type BatchOutcome, type BatchWork, type BatchWorkSettings } from './batch-work.js';

/** A request to the worker: one body. */
export interface WorkerRequest {
  id: number;
  work: BatchWork;
}

/** The worker's answer: what became of the body, or why the work failed. */
export type WorkerReply = { id: number; outcome: BatchOutcome } | { id: number; error: string } | { ready: true };

/** An ArrayBuffer the view alone uses, so it can be moved to the other thread instead of copied. */
function ownBuffer(view: Uint8Array | Uint32Array): ArrayBuffer | undefined {
  const { buffer } = view;
  return buffer instanceof ArrayBuffer && view.byteOffset === 0 && buffer.byteLength === view.byteLength ? buffer : undefined;
}

const port = parentPort;
if (port) {
  // the settings object the pool passes when it starts the worker (collect-workers.ts)
  const settings = workerData as BatchWorkSettings;
  port.on('message', (request: WorkerRequest) => {
    let reply: WorkerReply;
    const transfer: ArrayBuffer[] = [];
    try {
      const outcome = workOnBatch(request.work, settings);
      if (outcome.kind === 'prepared') {
        for (const view of [outcome.batch.payload, outcome.batch.idWords]) {
          const buffer = ownBuffer(view);
          if (buffer) transfer.push(buffer);
        }
      }
      reply = { id: request.id, outcome };
    } catch (error) {
      reply = { id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    port.postMessage(reply, transfer);
  });
  port.postMessage({ ready: true } satisfies WorkerReply);
}
