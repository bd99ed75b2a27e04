import { useEffect, useState, type FormEvent } from 'react';

import { centsToDollarText, parseDollarsToCents } from '../../lib/money';
import type { Category, ProductPage } from '../../lib/types';
import type { ProductFilters } from './catalog-api';
import { FILTER_SIZES } from './filter-options';

interface Props {
  filters: ProductFilters;
  categories: Category[];
  /** Counts per filter value from the list's first page (absent while it loads). */
  facets?: ProductPage['facets'];
  onChange: (changes: Partial<ProductFilters>) => void;
}

function countOf(counts: readonly { value: string; count: number }[] | undefined, value: string): number | undefined {
  if (!counts) return undefined;
  return counts.find((entry) => entry.value.toLowerCase() === value.toLowerCase())?.count ?? 0;
}

/** The list's filter panel; every change is applied at once, prices when the form is submitted. */
export function Filters({ filters, categories, facets, onChange }: Props) {
  const [minText, setMinText] = useState(filters.minPrice === undefined ? '' : centsToDollarText(filters.minPrice));
  const [maxText, setMaxText] = useState(filters.maxPrice === undefined ? '' : centsToDollarText(filters.maxPrice));
  const [priceError, setPriceError] = useState<string | undefined>();
  useEffect(() => setMinText(filters.minPrice === undefined ? '' : centsToDollarText(filters.minPrice)), [filters.minPrice]);
  useEffect(() => setMaxText(filters.maxPrice === undefined ? '' : centsToDollarText(filters.maxPrice)), [filters.maxPrice]);

  function applyPrice(event: FormEvent) {
    event.preventDefault();
    const min = minText.trim() === '' ? undefined : parseDollarsToCents(minText);
    const max = maxText.trim() === '' ? undefined : parseDollarsToCents(maxText);
    if (min === null || max === null) return setPriceError('Enter prices as numbers, like 25 or 49.99.');
    if (min !== undefined && max !== undefined && min > max) return setPriceError('The lowest price must not exceed the highest.');
    setPriceError(undefined);
    onChange({ minPrice: min, maxPrice: max });
  }

  return (
    <div className="filters">
      <fieldset className="filters__group">
        <legend>Category</legend>
        <ul className="filters__list">
          <li>
            <button type="button" className="filter-link" aria-pressed={!filters.category} onClick={() => onChange({ category: undefined })}>All clothing</button>
          </li>
          {categories.map((category) => {
            const count = countOf(facets?.categories, category.slug);
            return (
              <li key={category.id}>
                <button type="button" className="filter-link" aria-pressed={filters.category === category.slug} onClick={() => onChange({ category: category.slug })}>
                  {category.name}
                  {/* seen, not read: the button's name stays the category's ("Denim") */}
                  {count !== undefined && <span className="filter-count" aria-hidden="true"> ({count})</span>}
                </button>
              </li>
            );
          })}
        </ul>
      </fieldset>

      <fieldset className="filters__group">
        <legend>Size</legend>
        <div className="chips">
          {FILTER_SIZES.map((size) => {
            const count = countOf(facets?.sizes, size);
            const isOn = filters.size === size;
            // a size no product of this list comes in is left out rather than offered to fail
            if (count === 0 && !isOn) return null;
            return (
              <button key={size} type="button" className="chip" aria-pressed={isOn} onClick={() => onChange({ size: isOn ? undefined : size })}>
                {size}
              </button>
            );
          })}
        </div>
      </fieldset>

      <fieldset className="filters__group">
        <legend>Colour</legend>
        <ul className="family-list">
          {(facets?.families ?? []).map((family) => {
            const isOn = filters.family === family.value;
            // a family no product of this list comes in is left out rather than offered to fail
            if (family.count === 0 && !isOn) return null;
            return (
              <li key={family.value}>
                <button type="button" className="family-chip" aria-pressed={isOn} onClick={() => onChange({ family: isOn ? undefined : family.value, colour: undefined })}>
                  <span className="swatch" style={{ background: family.hex }} aria-hidden="true" />
                  {family.name}
                  {/* seen, not read: the button's name stays the family's ("Green") */}
                  <span className="filter-count" aria-hidden="true"> ({family.count})</span>
                </button>
              </li>
            );
          })}
        </ul>
        {filters.colour && (
          <p className="hint">
            Only “{filters.colour}”.{' '}
            <button type="button" className="link-button" onClick={() => onChange({ colour: undefined })}>Show every colour</button>
          </p>
        )}
      </fieldset>

      <form className="filters__group" onSubmit={applyPrice} aria-labelledby="price-legend" noValidate>
        <p id="price-legend" className="legend">Price (USD)</p>
        <div className="price-range">
          <label>
            <span className="visually-hidden">Lowest price</span>
            <input inputMode="decimal" placeholder="Min" value={minText} onChange={(e) => setMinText(e.target.value)} aria-invalid={priceError ? true : undefined} aria-describedby={priceError ? 'price-error' : undefined} />
          </label>
          <span aria-hidden="true">–</span>
          <label>
            <span className="visually-hidden">Highest price</span>
            <input inputMode="decimal" placeholder="Max" value={maxText} onChange={(e) => setMaxText(e.target.value)} aria-invalid={priceError ? true : undefined} aria-describedby={priceError ? 'price-error' : undefined} />
          </label>
          <button type="submit" className="button button--secondary button--small">Apply</button>
        </div>
        {priceError && <p id="price-error" className="field-error" role="alert">{priceError}</p>}
      </form>
    </div>
  );
}
