import type { Order, OrderStatus } from '../../lib/types';
import { useApi, type ApiState } from '../../lib/use-api';

/** The signed-in customer's orders, newest first (GET /api/orders). */
export function useMyOrders(): ApiState<{ items: Order[] }> {
  return useApi<{ items: Order[] }>('/api/orders');
}

export const STATUS_LABELS: Record<OrderStatus, string> = {
  pending: 'Awaiting payment',
  paid: 'Paid',
  shipped: 'Shipped',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
  refunded: 'Refunded',
};

const dateTime = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' });

export function formatOrderDate(order: Order): string {
  const when = order.placedAt ?? order.createdAt;
  return when ? dateTime.format(new Date(when)) : '';
}
