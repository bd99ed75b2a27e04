import type { WorkerService } from '../context.js';
import { backupScheduleService } from './backup-schedule.js';
import { clickstreamDeliveryService } from './clickstream-delivery.js';
import { housekeepingService } from './housekeeping.js';
import { mailDeliveryService } from './mail-delivery.js';
import { pipelineService } from '../pipeline/pipeline.service.js';

/** Every service the worker runs. Add a line to plug one in. */
export const WORKER_SERVICES: WorkerService[] = [backupScheduleService, clickstreamDeliveryService, pipelineService, housekeepingService, mailDeliveryService];
