/**
 * What the storefront shows around a product list: how many products match in all, how many
 * each filter value would leave (facets), corrections of misspelt search words, and suggestions
 * while the shopper types. Typo tolerance uses pg_trgm over `search_words`, the catalogue's own
 * vocabulary (migration 0800).
 */
import type { Queryable } from '../pool.js';
import { createBinder, productListConditions, type OmittedFilter, type ProductListQuery } from './product-list.repo.js';
import { closestWord, searchWords, toPrefixTsQuery } from './search-text.js';

export type ListFilters = Omit<ProductListQuery, 'sort' | 'limit' | 'after'>;

export interface FacetCount {
  value: string;
  count: number;
}

export interface ListFacets {
  categories: FacetCount[];
  sizes: FacetCount[];
  /** Lower-cased colour names as sellers wrote them. */
  colours: FacetCount[];
  /** Every colour family in swatch order, with how many products have a variant in it. */
  families: FamilyFacetCount[];
}

export interface FamilyFacetCount extends FacetCount {
  /** Display name ("Green"). */
  name: string;
  /** Swatch colour, #rrggbb. */
  hex: string;
}

export interface CorrectedSearch {
  /** The search with misspelt words replaced; equal to the input when nothing was corrected. */
  text: string;
  isCorrected: boolean;
}

/** Products matching the filters, without paging. */
export async function countProducts(db: Queryable, filters: ListFilters): Promise<number> {
  const { params, bind } = createBinder();
  const where = productListConditions(filters, bind);
  const { rows } = await db.query<{ total: string }>(`SELECT count(*) AS total FROM products p WHERE ${where.join(' AND ')}`, params);
  return Number(rows[0]?.total ?? 0);
}

async function familyFacet(db: Queryable, filters: ListFilters): Promise<FamilyFacetCount[]> {
  const { params, bind } = createBinder();
  const where = productListConditions(filters, bind, 'family').join(' AND ');
  const { rows } = await db.query<{ value: string; name: string; hex: string; count: string }>(
    `SELECT f.slug AS value, f.name, f.hex, coalesce(c.count, 0) AS count
       FROM colour_families f
       LEFT JOIN (SELECT v.colour_family, count(DISTINCT p.id) AS count
                    FROM products p JOIN product_variants v ON v.product_id = p.id
                   WHERE ${where} AND v.colour_family IS NOT NULL GROUP BY v.colour_family) c ON c.colour_family = f.slug
      ORDER BY f.position`,
    params,
  );
  return rows.map((row) => ({ value: row.value, name: row.name, hex: row.hex, count: Number(row.count) }));
}

async function facet(db: Queryable, filters: ListFilters, omit: Exclude<OmittedFilter, 'family'>): Promise<FacetCount[]> {
  const { params, bind } = createBinder();
  const where = productListConditions(filters, bind, omit).join(' AND ');
  // each facet counts as if its own filter were off: "Size M (12)" is what choosing M would show
  const sql = {
    category: `SELECT cat.slug AS value, count(DISTINCT p.id) AS count
                 FROM products p JOIN categories pc ON pc.id = p.category_id
                 JOIN categories cat ON cat.id = pc.id OR cat.id = pc.parent_id
                WHERE ${where} GROUP BY cat.slug`,
    size: `SELECT v.size AS value, count(DISTINCT p.id) AS count
             FROM products p JOIN product_variants v ON v.product_id = p.id
            WHERE ${where} GROUP BY v.size`,
    colour: `SELECT lower(v.colour) AS value, count(DISTINCT p.id) AS count
               FROM products p JOIN product_variants v ON v.product_id = p.id
              WHERE ${where} GROUP BY lower(v.colour)`,
  }[omit];
  const { rows } = await db.query<{ value: string; count: string }>(`${sql} ORDER BY count DESC, value`, params);
  return rows.map((row) => ({ value: row.value, count: Number(row.count) }));
}

/** Facet counts for the category, size, colour and colour-family filters of a list. */
export async function productFacets(db: Queryable, filters: ListFilters): Promise<ListFacets> {
  const [categories, sizes, colours, families] = await Promise.all([
    facet(db, filters, 'category'),
    facet(db, filters, 'size'),
    facet(db, filters, 'colour'),
    familyFacet(db, filters),
  ]);
  return { categories, sizes, colours, families };
}

/**
 * Replaces each search word that is neither a word of the catalogue nor the start of one by the
 * closest catalogue word: "slik dres" → "silk dres" ("dres" starts "dress" and is kept, prefix
 * search finds it). Candidates come from pg_trgm (similar trigrams, similar length); the fewest
 * edits wins (closestWord), so swapped letters, which trigrams barely see, are still caught.
 * Words with no close enough entry stay as typed, and the search says it found nothing.
 */
export async function correctSearch(db: Queryable, text: string): Promise<CorrectedSearch> {
  // words are letters and digits only (searchWords), so they are safe inside a LIKE pattern
  const words = searchWords(text);
  if (words.length === 0) return { text, isCorrected: false };
  const { rows } = await db.query<{ word: string; is_known: boolean; candidates: string[] | null }>(
    `SELECT q.word,
            (length(q.word) < 3 OR q.word ~ '^[0-9]+$' OR EXISTS (SELECT 1 FROM search_words w WHERE w.word LIKE q.word || '%')) AS is_known,
            ARRAY(SELECT w.word FROM search_words w
                   WHERE abs(length(w.word) - length(q.word)) <= 2 AND similarity(w.word, q.word) > 0.1
                   ORDER BY similarity(w.word, q.word) DESC, w.word LIMIT 25) AS candidates
       FROM unnest($1::text[]) WITH ORDINALITY AS q(word, n)
      ORDER BY q.n`,
    [words],
  );
  let isCorrected = false;
  const corrected = rows.map((row) => {
    if (row.is_known) return row.word;
    const closest = closestWord(row.word, row.candidates ?? []);
    if (closest === undefined) return row.word;
    isCorrected = true;
    return closest;
  });
  return { text: isCorrected ? corrected.join(' ') : text, isCorrected };
}

export interface Suggestions {
  products: { id: number; name: string; categoryName: string; priceFrom: number | null }[];
  categories: { slug: string; name: string }[];
}

/**
 * Up to `limit` published products and a few categories for what has been typed so far: names
 * matching the words (the last one as a prefix) ranked first, then names similar by trigrams.
 */
export async function suggestProducts(db: Queryable, text: string, limit: number): Promise<Suggestions> {
  const words = searchWords(text);
  if (words.length === 0) return { products: [], categories: [] };
  const tsQuery = words.map((word) => `${word}:*`).join(' & ');
  const anyWord = toPrefixTsQuery(words);
  const phrase = words.join(' ');
  const products = await db.query<{ id: string; name: string; category_name: string; min_price_cents: number | null }>(
    `SELECT p.id, p.name, c.name AS category_name, p.min_price_cents
       FROM products p JOIN categories c ON c.id = p.category_id
      WHERE p.status = 'published'
        AND (p.search_doc @@ to_tsquery('english', $1) OR lower(p.name) % $3)
      ORDER BY (p.search_doc @@ to_tsquery('english', $1)) DESC,
               ts_rank(p.search_doc, to_tsquery('english', $2)) DESC,
               similarity(lower(p.name), $3) DESC, p.units_sold DESC, p.id
      LIMIT $4`,
    [tsQuery, anyWord, phrase, limit],
  );
  const categories = await db.query<{ slug: string; name: string }>(
    `SELECT c.slug, c.name FROM categories c
      WHERE lower(c.name) LIKE '%' || $1 || '%' OR similarity(lower(c.name), $1) >= 0.3
         OR EXISTS (SELECT 1 FROM unnest($2::text[]) w WHERE lower(c.name) LIKE w || '%')
      ORDER BY similarity(lower(c.name), $1) DESC, c.name LIMIT 3`,
    [phrase.replace(/[%_\\]/g, ''), words],
  );
  return {
    products: products.rows.map((row) => ({ id: Number(row.id), name: row.name, categoryName: row.category_name, priceFrom: row.min_price_cents })),
    categories: categories.rows,
  };
}
