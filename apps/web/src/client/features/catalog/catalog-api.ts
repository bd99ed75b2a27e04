import { useEffect, useState } from 'react';

import { api, toQuery } from '../../lib/api';
import type { Category, CategoryList, ProductPage, ProductSummary } from '../../lib/types';

/** What the list page filters by; mirrors GET /api/products query parameters. */
export interface ProductFilters {
  q?: string;
  category?: string;
  size?: string;
  colour?: string;
  /** Colour family slug ("green"); `colour` is an exact colour name (links from older pages). */
  family?: string;
  minPrice?: number;
  maxPrice?: number;
  sort?: string;
}

export const SORTS = [
  { value: 'relevance', label: 'Best match' },
  { value: 'newest', label: 'Newest' },
  { value: 'popular', label: 'Most popular' },
  { value: 'price_asc', label: 'Price: low to high' },
  { value: 'price_desc', label: 'Price: high to low' },
] as const;

/** Reads filters from the page URL, so every filtered list has a shareable address. */
export function filtersFromParams(params: URLSearchParams): ProductFilters {
  const cents = (key: string): number | undefined => {
    const raw = params.get(key);
    if (raw === null || raw === '') return undefined;
    const value = Number(raw);
    return Number.isInteger(value) && value >= 0 ? value : undefined;
  };
  return {
    q: params.get('q') ?? undefined,
    category: params.get('category') ?? undefined,
    size: params.get('size') ?? undefined,
    colour: params.get('colour') ?? undefined,
    family: params.get('family') ?? undefined,
    minPrice: cents('minPrice'),
    maxPrice: cents('maxPrice'),
    sort: params.get('sort') ?? undefined,
  };
}

export function productsQuery(filters: ProductFilters, cursor?: string | null, limit = 24): string {
  return toQuery({ ...filters, cursor: cursor ?? undefined, limit });
}

export interface ProductListState {
  items: ProductSummary[];
  nextCursor: string | null;
  /** What the first page said about every match (total, facets, the search as run). */
  summary: Pick<ProductPage, 'total' | 'facets' | 'search'>;
  isLoading: boolean;
  isLoadingMore: boolean;
  error: unknown;
  loadMore: () => void;
}

/**
 * The product list for a set of filters, with cursor paging: `loadMore` appends the next page.
 * Changing the filters starts again from the first page and ignores answers to older filters.
 */
export function useProductList(filters: ProductFilters): ProductListState {
  const key = productsQuery(filters);
  const [state, setState] = useState<{ key: string; items: ProductSummary[]; nextCursor: string | null; summary: ProductListState['summary'] }>({ key: '', items: [], nextCursor: null, summary: {} });
  const [isLoading, setIsLoading] = useState(true);
  const [isLoadingMore, setIsLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    const controller = new AbortController();
    setIsLoading(true);
    setError(undefined);
    api<ProductPage>(`/api/products${key}`, { signal: controller.signal })
      .then((page) => {
        setState({ key, items: page.items, nextCursor: page.nextCursor, summary: { total: page.total, facets: page.facets, search: page.search } });
        setIsLoading(false);
      })
      .catch((caught: unknown) => {
        if (controller.signal.aborted) return;
        setError(caught);
        setIsLoading(false);
      });
    return () => controller.abort();
  }, [key]);

  function loadMore() {
    if (!state.nextCursor || isLoadingMore) return;
    setIsLoadingMore(true);
    api<ProductPage>(`/api/products${productsQuery(filters, state.nextCursor)}`)
      .then((page) => {
        setState((current) => (current.key === key ? { ...current, items: [...current.items, ...page.items], nextCursor: page.nextCursor } : current));
      })
      .catch((caught: unknown) => setError(caught))
      .finally(() => setIsLoadingMore(false));
  }

  return { items: state.items, nextCursor: state.nextCursor, summary: state.summary, isLoading, isLoadingMore, error, loadMore };
}

/** Every category (GET /api/categories), for filters and forms. */
export function useCategories(): Category[] {
  const [categories, setCategories] = useState<Category[]>([]);
  useEffect(() => {
    let isCurrent = true;
    api<CategoryList>('/api/categories')
      .then((body) => {
        if (isCurrent) setCategories(body.items);
      })
      .catch(() => {
        if (isCurrent) setCategories([]);
      });
    return () => {
      isCurrent = false;
    };
  }, []);
  return categories;
}
