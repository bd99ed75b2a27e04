import type { WorkerService } from '../context.js';

/** Every service the worker runs. Add a line to plug one in. */
export const WORKER_SERVICES: WorkerService[] = [];
