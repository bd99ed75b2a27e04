import { randomUUID } from 'node:crypto';

import { analyticsIds, type Collector } from '@threadline/clickstream';
import type { FastifyRequest } from 'fastify';

import type { Logger } from '@threadline/config';


/**
 * Events only the API can state (today `order_paid`: the payment went through, for this amount),
 * appended to the clickstream by the API itself. Browsers cannot send them (the collector refuses
 * server-only types from clients), so a sale in the lake is a sale in the database. Best effort:
 * a failed append is logged and never fails the payment.
 */
export class ServerEvents {
  private collector: Collector | undefined;

  constructor(private readonly logger: Logger) {}

  /** Called by the /collect module once its collector exists. */
  attach(collector: Collector): void {
    this.collector = collector;
  }

  /** Records that `request`'s user paid an order (visitor and session from the analytics cookies). */
  async orderPaid(request: FastifyRequest, order: { id: number; userId: number | null; totalCents: number; currency: string }): Promise<void> {
    const collector = this.collector;
    if (!collector) return;
        const raw = {
      id: randomUUID(),
      type: 'order_paid',
      ts: Date.now(),
      ...analyticsIds(request.cookies),
      path: '/checkout',
      props: { productId: null, valueCents: order.totalCents, currency: order.currency },
    };
    try {
      const result = await collector.collect([{ raw }], {
        receivedAt: Date.now(),
        userAgent: request.headers['user-agent'],
        ip: request.ip,
        ...(order.userId === null ? {} : { sessionUserId: String(order.userId) }),
        isFromTier: true,
      });
      if (result.rejected.length > 0) this.logger.warn({ orderId: order.id, rejected: result.rejected }, 'order_paid event refused');
    } catch (error) {
      this.logger.warn({ err: error, orderId: order.id }, 'order_paid event not recorded');
    }
  }
}
