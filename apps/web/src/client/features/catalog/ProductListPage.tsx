import { useEffect, useMemo } from 'react';
import { useSearchParams } from 'react-router';

import { track } from '../../analytics';
import { describeError } from '../../lib/api';
import { formatCents } from '../../lib/money';
import { filtersFromParams, SORTS, useCategories, useProductList, type ProductFilters } from './catalog-api';
import { Filters } from './Filters';
import { ProductCard } from './ProductCard';

function activeFilterLabels(filters: ProductFilters, categoryName: string | undefined, familyName: string | undefined): { key: keyof ProductFilters; label: string }[] {
  const labels: { key: keyof ProductFilters; label: string }[] = [];
  if (filters.q) labels.push({ key: 'q', label: `“${filters.q}”` });
  if (filters.category) labels.push({ key: 'category', label: categoryName ?? filters.category });
  if (filters.size) labels.push({ key: 'size', label: `Size ${filters.size}` });
  if (filters.colour) labels.push({ key: 'colour', label: filters.colour });
  if (filters.family) labels.push({ key: 'family', label: familyName ?? filters.family });
  if (filters.minPrice !== undefined) labels.push({ key: 'minPrice', label: `From ${formatCents(filters.minPrice)}` });
  if (filters.maxPrice !== undefined) labels.push({ key: 'maxPrice', label: `Up to ${formatCents(filters.maxPrice)}` });
  return labels;
}

export default function ProductListPage() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const categories = useCategories();
  const list = useProductList(filters);
  const category = categories.find((c) => c.slug === filters.category);

  useEffect(() => {
    if (filters.q) track('search', { query: filters.q });
  }, [filters.q]);

  function change(changes: Partial<ProductFilters>) {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === '') next.delete(key);
      else next.set(key, String(value));
    }
    setParams(next);
  }

  const { total, facets, search } = list.summary;
  const family = facets?.families.find((entry) => entry.value === filters.family);
  const chips = activeFilterLabels(filters, category?.name, family?.name);
  const heading = filters.q ? `Results for “${filters.q}”` : (category?.name ?? 'All clothing');
  const hasOtherFilters = chips.some((chip) => chip.key !== 'q');
  const countText = total === undefined
    ? `${list.items.length} ${list.items.length === 1 ? 'product' : 'products'}`
    : list.items.length < total ? `Showing ${list.items.length} of ${total} products` : `${total} ${total === 1 ? 'product' : 'products'}`;
  const sorts = SORTS.filter((sort) => sort.value !== 'relevance' || filters.q);

  return (
    <div className="page catalog">
      <div className="catalog__head">
        <div>
          <h1>{heading}</h1>
          <p className="muted" aria-live="polite">
            {list.isLoading ? 'Loading products…' : countText}
          </p>
          {!list.isLoading && search?.isCorrected && (
            <p className="search-correction" data-testid="search-correction">
              No exact match for “{filters.q}”. Showing results for <strong>“{search.query}”</strong>.
            </p>
          )}
        </div>
        <label className="sort">
          <span>Sort by</span>
          <select value={filters.sort ?? (filters.q ? 'relevance' : 'newest')} onChange={(e) => change({ sort: e.target.value === (filters.q ? 'relevance' : 'newest') ? undefined : e.target.value })}>
            {sorts.map((sort) => <option key={sort.value} value={sort.value}>{sort.label}</option>)}
          </select>
        </label>
      </div>

      <div className="catalog__body">
        <details className="catalog__filters" open={typeof window !== 'undefined' && window.matchMedia('(min-width: 900px)').matches}>
          <summary className="button button--secondary">Filters{chips.length > 0 ? ` (${chips.length})` : ''}</summary>
          <Filters filters={filters} categories={categories} facets={facets} onChange={change} />
        </details>

        <section className="catalog__results" aria-label="Products">
          {chips.length > 0 && (
            <ul className="active-filters" aria-label="Active filters">
              {chips.map((chip) => (
                <li key={chip.key}>
                  <button type="button" className="chip chip--removable" onClick={() => change({ [chip.key]: undefined })} aria-label={`Remove filter ${chip.label}`}>
                    {chip.label} <span aria-hidden="true">×</span>
                  </button>
                </li>
              ))}
              <li><button type="button" className="link-button" onClick={() => setParams(new URLSearchParams())}>Clear all</button></li>
            </ul>
          )}

          {list.error !== undefined && <p className="alert alert--error" role="alert">{describeError(list.error)}</p>}

          {list.isLoading && list.items.length === 0 ? (
            <div className="product-grid" aria-hidden="true">
              {Array.from({ length: 8 }, (_, i) => <div key={i} className="product-card product-card--skeleton" />)}
            </div>
          ) : list.items.length === 0 && list.error === undefined ? (
            <div className="empty-state" data-testid="empty-results">
              {filters.q ? (
                <>
                  <h2>Nothing matches “{filters.q}”{hasOtherFilters ? ' with these filters' : ''}</h2>
                  <p>
                    {hasOtherFilters
                      ? 'Remove a filter to see more, or search for something else.'
                      : 'Check the spelling, try a more general word (“jacket” rather than a style name), or browse every product.'}
                  </p>
                  {hasOtherFilters ? (
                    <button type="button" className="button" onClick={() => setParams(new URLSearchParams({ q: filters.q ?? '' }))}>Keep the search, remove the filters</button>
                  ) : (
                    <button type="button" className="button" onClick={() => setParams(new URLSearchParams())}>Browse all clothing</button>
                  )}
                </>
              ) : (
                <>
                  <h2>No products match these filters</h2>
                  <p>{filters.size || filters.colour || filters.family ? 'Try another size or colour, or clear the filters.' : 'Widen the price range, or clear the filters.'}</p>
                  <button type="button" className="button" onClick={() => setParams(new URLSearchParams())}>Clear filters</button>
                </>
              )}
            </div>
          ) : (
            <div className={`product-grid ${list.isLoading ? 'is-stale' : ''}`} data-testid="product-grid">
              {list.items.map((product, index) => <ProductCard key={product.id} product={product} isPriority={index < 4} />)}
            </div>
          )}

          {list.nextCursor && !list.isLoading && (
            <div className="load-more">
              <button type="button" className="button button--secondary" onClick={list.loadMore} disabled={list.isLoadingMore}>
                {list.isLoadingMore ? 'Loading…' : 'Load more'}
              </button>
            </div>
          )}
        </section>
      </div>
    </div>
  );
}
