import { useApi } from '../../lib/use-api';
import type { Category } from '../../lib/types';

/** Category slugs for the category filter. */
export function useCategorySlugs(): string[] {
  const { data } = useApi<{ items: Category[] }>('/api/categories');
  return (data?.items ?? []).map((category) => category.slug);
}
