/**
 * A sliding-window rate limiter (the two-window approximation Cloudflare and nginx-style limiters
 * use): the count of the previous window is weighted by how much of it still overlaps the sliding
 * window. Constant memory per key, no timers; idle keys are swept as windows roll over.
 */
export interface RateLimitResult {
  isAllowed: boolean;
  /** Requests left in the current window (0 when refused). */
  remaining: number;
  /** Whole seconds until a request would be admitted again (0 when allowed). */
  retryAfterSeconds: number;
}

interface Counter {
  windowStart: number;
  current: number;
  previous: number;
}

export class SlidingWindowLimiter {
  private readonly counters = new Map<string, Counter>();
  private lastSweep = 0;

  /**
   * @param limit requests admitted per window and key; 0 admits everything (limit off)
   * @param windowMs window length
   * @param now clock, replaceable in tests
   */
  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counts one request for `key` and says whether it is admitted. Refused requests are not
   * counted, so a client that backs off for Retry-After gets in again.
   *
   * @example
   * const login = new SlidingWindowLimiter(10, 60_000);
   * if (!login.hit(`ip:${request.ip}`).isAllowed) reply.status(429);
   */
  hit(key: string): RateLimitResult {
    if (this.limit <= 0) return { isAllowed: true, remaining: Number.POSITIVE_INFINITY, retryAfterSeconds: 0 };
    const now = this.now();
    this.sweep(now);
    const windowStart = now - (now % this.windowMs);
    let counter = this.counters.get(key);
    if (!counter) {
      counter = { windowStart, current: 0, previous: 0 };
      this.counters.set(key, counter);
    } else if (counter.windowStart !== windowStart) {
      // one window later the current count becomes the previous one; further apart, both are stale
      counter.previous = windowStart - counter.windowStart === this.windowMs ? counter.current : 0;
      counter.current = 0;
      counter.windowStart = windowStart;
    }
    const overlap = 1 - (now - windowStart) / this.windowMs;
    const estimated = counter.previous * overlap + counter.current;
    if (estimated + 1 > this.limit) {
      return { isAllowed: false, remaining: 0, retryAfterSeconds: this.retryAfter(counter, now, windowStart) };
    }
    counter.current += 1;
    return { isAllowed: true, remaining: Math.max(0, Math.floor(this.limit - estimated - 1)), retryAfterSeconds: 0 };
  }

  /** Seconds until the weighted count drops enough to admit one more request. */
  private retryAfter(counter: Counter, now: number, windowStart: number): number {
    const windowEnd = windowStart + this.windowMs;
    if (counter.previous > 0 && counter.current + 1 <= this.limit) {
      // previous * (1 - t/W) + current + 1 <= limit  →  t >= W * (1 - (limit - current - 1) / previous)
      const t = this.windowMs * (1 - (this.limit - counter.current - 1) / counter.previous);
      return Math.max(1, Math.ceil((windowStart + t - now) / 1000));
    }
    // the current window alone is full: wait for it to end and enough of it to slide out
    const t = this.windowMs * (1 - (this.limit - 1) / Math.max(counter.current, 1));
    return Math.max(1, Math.ceil((windowEnd + t - now) / 1000));
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, counter] of this.counters) {
      if (now - counter.windowStart >= 2 * this.windowMs) this.counters.delete(key);
    }
  }

  /** Keys currently tracked (for tests and metrics). */
  get size(): number {
    return this.counters.size;
  }
}
