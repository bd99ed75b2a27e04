import { createPaymentProvider, expireStalePendingOrders } from '@threadline/orders';
import { deleteAbandonedCarts, deleteExpiredSessions, foldPendingUnitsSold, type Pool } from '@threadline/db';
import type { Logger } from '@threadline/config';

import type { WorkerService } from '../context.js';

/** How often abandoned checkouts are looked for (a pending order holds stock for 30 minutes). */
export const ORDER_EXPIRY_EVERY_MS = 60_000;
/**
 * How often paid orders' units reach products.units_sold (the "popular" sort and the product
 * page): payments append them without locking product rows (migration 2400).
 */
export const UNITS_SOLD_FOLD_EVERY_MS = 5_000;
/** How often expired sessions and abandoned carts are removed. */
export const CLEANUP_EVERY_MS = 60 * 60_000;
/** An anonymous cart nobody touched for this long is abandoned (THREADLINE_ABANDONED_CART_DAYS's default). */
export const ABANDONED_CART_AGE_MS = 30 * 24 * 60 * 60_000;
/** Rows deleted per statement: short locks, and the loop goes on until a batch comes back short. */
const BATCH = 1_000;

async function drain(step: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await step();
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

/** One clean-up pass: expired sessions first, so the carts they held become unreachable and go too. */
export async function cleanUpSessionsAndCarts(
  pool: Pool,
  options: { now?: Date; abandonedCartMs?: number } = {},
): Promise<{ sessions: number; carts: number }> {
  const now = options.now ?? new Date();
  const sessions = await drain(() => deleteExpiredSessions(pool, now, BATCH));
  const carts = await drain(() => deleteAbandonedCarts(pool, new Date(now.getTime() - (options.abandonedCartMs ?? ABANDONED_CART_AGE_MS)), BATCH));
  return { sessions, carts };
}

function every(ms: number, name: string, logger: Logger, work: () => Promise<void>): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = (): void => {
    // a slow pass is never overlapped by the next one
    if (running) return;
    running = work()
      .catch((error: unknown) => logger.error({ err: error }, `${name} failed`))
      .finally(() => (running = null));
  };
  const timer = setInterval(tick, ms);
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      if (running) await running;
    },
  };
}

/**
 * The shop's scheduled upkeep (scheduling is the worker's job, never an API replica's): pending
 * orders past their payment window are cancelled and give their stock back; units sold are folded
 * into the products every few seconds; expired sessions and
 * abandoned anonymous carts are deleted. Each step is safe to run from several workers at once
 * (row locks, SKIP LOCKED, state re-checked under lock).
 */
export const housekeepingService: WorkerService = {
  name: 'housekeeping',
  async start(context) {
    const logger = context.logger.child({ service: 'housekeeping' });
    const provider = createPaymentProvider();
    const orders = every(ORDER_EXPIRY_EVERY_MS, 'pending-order expiry', logger, async () => {
      const cancelled = await expireStalePendingOrders({ pool: context.pool, provider, publicUrl: context.config.publicUrl });
      if (cancelled > 0) logger.info({ cancelled }, 'pending orders past their payment window cancelled, stock returned');
    });
    const unitsSold = every(UNITS_SOLD_FOLD_EVERY_MS, 'units-sold fold', logger, async () => {
      await foldPendingUnitsSold(context.pool);
    });
    const cleanup = every(CLEANUP_EVERY_MS, 'session and cart clean-up', logger, async () => {
      const removed = await cleanUpSessionsAndCarts(context.pool, { abandonedCartMs: context.config.housekeeping.abandonedCartMs });
      if (removed.sessions + removed.carts > 0) logger.info(removed, 'expired sessions and abandoned carts removed');
    });
    return {
      async stop() {
        await orders.stop();
        await unitsSold.stop();
        await cleanup.stop();
      },
    };
  },
};
