/**
 * The tracker's outgoing queue: events wait here until a batch is sent and acknowledged (202).
 * Refused or failed batches go back to the front to be retried with backoff; the queue is capped
 * so an offline tab cannot grow without bound (the oldest events are dropped first). Event ids
 * make retries safe: the collector stores each id once.
 */
export interface QueuedEvent {
  id: string;
  [key: string]: unknown;
}

export class EventQueue {
  private events: QueuedEvent[] = [];

  constructor(
    private readonly maxEvents = 500,
    readonly batchSize = 50,
  ) {}

  get size(): number {
    return this.events.length;
  }

  push(event: QueuedEvent): void {
    this.events.push(event);
    if (this.events.length > this.maxEvents) this.events.splice(0, this.events.length - this.maxEvents);
  }

  /** Takes the next batch out of the queue. */
  take(): QueuedEvent[] {
    return this.events.splice(0, this.batchSize);
  }

  /** Puts an unacknowledged batch back in front. */
  putBack(batch: QueuedEvent[]): void {
    this.events.unshift(...batch);
    if (this.events.length > this.maxEvents) this.events.splice(0, this.events.length - this.maxEvents);
  }

  /** Everything, e.g. to hand to sendBeacon when the page goes away. */
  drain(): QueuedEvent[] {
    return this.events.splice(0);
  }

  toJSON(): QueuedEvent[] {
    return this.events;
  }

  restore(saved: unknown): void {
    if (!Array.isArray(saved)) return;
    for (const item of saved) {
      if (typeof item === 'object' && item !== null && 'id' in item && typeof item.id === 'string') this.push(item as QueuedEvent); // id checked just above
    }
  }
}

/** Backoff before retry attempt n (1-based): 1 s, 2 s, 4 s … capped at 60 s, or Retry-After. */
export function retryDelayMs(attempt: number, retryAfterSeconds?: number): number {
  if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0) return Math.min(300, retryAfterSeconds) * 1000;
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attempt - 1));
}
