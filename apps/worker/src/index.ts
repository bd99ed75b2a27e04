export { runWorker } from './main.js';
export type { WorkerContext, WorkerService } from './context.js';
