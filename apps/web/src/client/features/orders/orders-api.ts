import { useEffect, useState } from 'react';

import { api, toQuery } from '../../lib/api';
import type { Order, OrderStatus } from '../../lib/types';
import { useApi } from '../../lib/use-api';

interface OrderPage {
  items: Order[];
  nextCursor: string | null;
}

/** The signed-in customer's orders, newest first, 20 at a time (GET /api/orders). */
export function useMyOrders() {
  const first = useApi<OrderPage>('/api/orders');
  const [more, setMore] = useState<OrderPage | null>(null);
  const [isLoadingMore, setIsLoadingMore] = useState(false);
  useEffect(() => setMore(null), [first.data]);
  const nextCursor = more ? more.nextCursor : (first.data?.nextCursor ?? null);

  function loadMore() {
    if (!nextCursor || isLoadingMore) return;
    setIsLoadingMore(true);
    api<OrderPage>(`/api/orders${toQuery({ cursor: nextCursor })}`)
      .then((page) => setMore((current) => ({ items: [...(current?.items ?? []), ...page.items], nextCursor: page.nextCursor })))
      .catch(() => undefined)
      .finally(() => setIsLoadingMore(false));
  }

  const items = first.data ? [...first.data.items, ...(more?.items ?? [])] : undefined;
  return { items, error: first.error, isLoading: first.isLoading, nextCursor, isLoadingMore, loadMore };
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
  return dateTime.format(new Date(order.placedAt));
}
