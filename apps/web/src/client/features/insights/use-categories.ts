import { useApi } from '../../lib/use-api';
import type { CategoryList } from '../../lib/types';

/** Category slugs for the category filter. */
export function useCategorySlugs(): string[] {
  const { data } = useApi<CategoryList>('/api/categories');
  return (data?.items ?? []).map((category) => category.slug);
}
