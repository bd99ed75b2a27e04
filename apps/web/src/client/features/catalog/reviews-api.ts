import { useEffect, useState } from 'react';

import { api, toQuery } from '../../lib/api';
import type { Order, OrderItem, Review, ReviewPage } from '../../lib/types';
import { useApi, type ApiState } from '../../lib/use-api';

export interface ReviewList {
  items: Review[];
  nextCursor: string | null;
  error: unknown;
  isLoadingMore: boolean;
  loadMore: () => void;
  reload: () => void;
}

/** A product's reviews, newest first, a page at a time (GET /api/products/:id/reviews). */
export function useReviews(productId: string): ReviewList {
  const path = `/api/products/${encodeURIComponent(productId)}/reviews`;
  const first: ApiState<ReviewPage> = useApi(path);
  const [more, setMore] = useState<ReviewPage | null>(null);
  const [isLoadingMore, setIsLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(undefined);
  useEffect(() => setMore(null), [first.data]);

  const nextCursor = more ? more.nextCursor : (first.data?.nextCursor ?? null);
  function loadMore() {
    if (!nextCursor || isLoadingMore) return;
    setIsLoadingMore(true);
    api<ReviewPage>(`${path}${toQuery({ cursor: nextCursor })}`)
      .then((page) => setMore((current) => ({ items: [...(current?.items ?? []), ...page.items], nextCursor: page.nextCursor })))
      .catch((caught: unknown) => setMoreError(caught))
      .finally(() => setIsLoadingMore(false));
  }

  return {
    items: [...(first.data?.items ?? []), ...(more?.items ?? [])],
    nextCursor,
    error: first.error ?? moreError,
    isLoadingMore,
    loadMore,
    reload: first.reload,
  };
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
