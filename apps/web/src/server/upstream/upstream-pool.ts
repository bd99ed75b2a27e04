import { Pool } from 'undici';

import type { Logger } from '@threadline/config';

/** One API replica behind the web tier. */
export interface Upstream {
  /** The replica's name in logs and metrics, and its address unless `socketPath` is set. */
  url: string;
  /** The Unix socket this replica is reached through on this host, instead of `url`'s host and port. */
  socketPath: string | undefined;
  dispatcher: Pool;
  /** Last active health check answered 2xx. */
  isHealthy: boolean;
  /** Some health check has answered 2xx since the web tier started (a replica still booting has not). */
  hasAnswered: boolean;
  /** Passive ejection: a failed request keeps the replica out of rotation until then (epoch ms). */
  ejectedUntil: number;
}

export interface UpstreamPoolOptions {
  urls: string[];
  /**
   * For each of `urls` (same order), a Unix socket to reach that replica through instead of TCP
   * (the replica also listens on its port; the URL stays its name and Host). Default: TCP for all.
   */
  socketPaths?: ReadonlyArray<string | undefined>;
  logger: Logger;
  /** Active health checks: GET this path on every replica every `intervalMs` (default /readyz, 500 ms). */
  healthPath?: string;
  intervalMs?: number;
  /** How long a replica that failed a request is left out (default 5 s). */
  ejectMs?: number;
  /** Keep-alive connections per replica (default 64). */
  connections?: number;
}

/**
 * The API replicas the web tier forwards to: round robin over the replicas that pass their active
 * health check and were not ejected by a failed request. When none qualifies, every replica is
 * tried anyway — a stale health picture must not turn into a refused request.
 */
export class UpstreamPool {
  readonly upstreams: Upstream[];
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly healthPath: string;
  private readonly intervalMs: number;
  private readonly ejectMs: number;

  constructor(private readonly options: UpstreamPoolOptions) {
    if (options.urls.length === 0) throw new RangeError('UpstreamPool needs at least one URL');
    this.healthPath = options.healthPath ?? '/readyz';
    this.intervalMs = options.intervalMs ?? 500;
    this.ejectMs = options.ejectMs ?? 5_000;
    const socketPaths = options.socketPaths ?? [];
    if (socketPaths.length > options.urls.length) throw new RangeError('UpstreamPool: more socket paths than URLs');
    this.upstreams = options.urls.map((url, index) => {
      const socketPath = socketPaths[index];
      return {
        url,
        socketPath,
        dispatcher: new Pool(new URL(url).origin, { connections: options.connections ?? 64, keepAliveTimeout: 30_000, ...(socketPath ? { socketPath } : {}) }),
        isHealthy: true,
        hasAnswered: false,
        ejectedUntil: 0,
      };
    });
  }

  /** Starts the active health checks (one round at once, then every `intervalMs`). */
  async start(): Promise<void> {
    await this.checkAll();
    this.timer = setInterval(() => void this.checkAll(), this.intervalMs);
    this.timer.unref();
  }

  private isAvailable(upstream: Upstream, now: number): boolean {
    return upstream.isHealthy && upstream.ejectedUntil <= now;
  }

  /** The next replica to try, skipping those in `tried`; available ones first, then any. */
  pick(tried?: ReadonlySet<Upstream>): Upstream | undefined {
    const now = Date.now();
    const count = this.upstreams.length;
    // two passes (available replicas, then any) without a Set or array made per forwarded request
    for (let pass = 0; pass < 2; pass += 1) {
      const wantAvailable = pass === 0;
      for (let step = 0; step < count; step += 1) {
        const upstream = this.upstreams[(this.next + step) % count];
        if (!upstream || tried?.has(upstream)) continue;
        if (wantAvailable && !this.isAvailable(upstream, now)) continue;
        this.next = (this.next + step + 1) % count;
        return upstream;
      }
    }
    return undefined;
  }

  /** Passive ejection after a request to `upstream` failed at the connection level or with 502/503. */
  reportFailure(upstream: Upstream, reason: string): void {
    if (upstream.ejectedUntil <= Date.now()) this.options.logger.warn({ upstream: upstream.url, reason }, 'API replica ejected after a failed request');
    upstream.ejectedUntil = Date.now() + this.ejectMs;
  }

  /** How many replicas are in rotation now. */
  availableCount(): number {
    const now = Date.now();
    return this.upstreams.filter((upstream) => this.isAvailable(upstream, now)).length;
  }

  private async checkAll(): Promise<void> {
    await Promise.all(this.upstreams.map((upstream) => this.check(upstream)));
  }

  private async check(upstream: Upstream): Promise<void> {
    let isHealthy = false;
    try {
      const response = await upstream.dispatcher.request({
        method: 'GET',
        path: this.healthPath,
        headersTimeout: Math.max(this.intervalMs * 2, 1_000),
        bodyTimeout: Math.max(this.intervalMs * 2, 1_000),
      });
      await response.body.dump();
      isHealthy = response.statusCode >= 200 && response.statusCode < 300;
    } catch {
      isHealthy = false;
    }
    if (isHealthy !== upstream.isHealthy) {
      const { logger } = this.options;
      if (isHealthy) logger.info({ upstream: upstream.url }, upstream.hasAnswered ? 'API replica healthy: back in rotation' : 'API replica answers: in rotation');
      // a replica that never answered is still booting (npm start runs the tiers side by side): no failure
      else if (upstream.hasAnswered) logger.info({ upstream: upstream.url }, 'API replica failed its health check: out of rotation');
      else logger.debug({ upstream: upstream.url }, 'API replica not answering yet: waiting for it');
    }
    if (isHealthy) upstream.hasAnswered = true;
    // a passive ejection runs its full time even when /readyz answers: a replica can pass its
    // health check and still fail real requests
    upstream.isHealthy = isHealthy;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.upstreams.map((upstream) => upstream.dispatcher.close()));
  }
}
