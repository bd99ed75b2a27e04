import { useEffect, useState } from 'react';

import { api } from '../../lib/api';
import type { Order, OrderItem, Review } from '../../lib/types';
import { useApi, type ApiState } from '../../lib/use-api';

/** GET /api/products/:id/reviews answers `{ items }` (newest first). */
export function useReviews(productId: string): ApiState<{ items: Review[] }> {
  return useApi<{ items: Review[] }>(`/api/products/${encodeURIComponent(productId)}/reviews`);
}

const REVIEWABLE = new Set(['paid', 'shipped', 'delivered']);

/**
 * The signed-in customer's order lines of this product not yet reviewed: a review belongs to one
 * bought line, so the form appears only when there is one.
 */
export function useReviewableItems(productId: number | undefined, isSignedIn: boolean, version: number): OrderItem[] {
  const [items, setItems] = useState<OrderItem[]>([]);
  useEffect(() => {
    if (!isSignedIn || productId === undefined) {
      setItems([]);
      return;
    }
    let isCurrent = true;
    api<{ items: Order[] }>('/api/orders')
      .then((body) => {
        if (!isCurrent) return;
        const lines = body.items
          .filter((order) => REVIEWABLE.has(order.status))
          .flatMap((order) => order.items ?? [])
          .filter((item) => item.productId === productId);
        setItems(lines);
      })
      .catch(() => {
        if (isCurrent) setItems([]);
      });
    return () => {
      isCurrent = false;
    };
  }, [productId, isSignedIn, version]);
  return items;
}

export interface NewReview {
  orderItemId: number;
  rating: number;
  title?: string;
  body: string;
}

export function postReview(productId: number, review: NewReview): Promise<Review> {
  return api<Review>(`/api/products/${productId}/reviews`, { method: 'POST', body: review });
}
