/**
 * Failed logins per client address in a sliding window, in this process's memory. Account
 * lockout (in the database) stops guessing one password; this stops one address from spraying
 * many accounts. Each API replica counts on its own, which bounds an attacker at
 * replicas × limit per window — acceptable for a shop, and it needs no shared store.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(address: string): number[] {
    const since = this.now() - this.windowMs;
    const times = (this.failures.get(address) ?? []).filter((time) => time > since);
    if (times.length === 0) this.failures.delete(address);
    else this.failures.set(address, times);
    return times;
  }

  /** Milliseconds until this address may try again, or 0 when it may try now. */
  retryAfterMs(address: string): number {
    const times = this.recent(address);
    if (times.length < this.limit) return 0;
    const oldest = times[times.length - this.limit] ?? this.now();
    return Math.max(1, oldest + this.windowMs - this.now());
  }

  recordFailure(address: string): void {
    const times = this.recent(address);
    times.push(this.now());
    this.failures.set(address, times);
    // keep memory bounded under an address-rotating attack
    if (this.failures.size > 100_000) {
      const first = this.failures.keys().next();
      if (!first.done) this.failures.delete(first.value);
    }
  }
}
