import type { DateWindow } from '@threadline/domain';
import { sqlLiteral, toDateText, toNumber } from '@threadline/lake';

import type { InsightsLake } from '../lake/insights-lake.js';
import type { RatingCount, CategoryRatings, ReviewInsight } from '../types.js';

export type { RatingCount, CategoryRatings, LowRatedProduct, ReviewInsight } from '../types.js';

export interface ReviewFilters extends DateWindow {
  category?: string;
  /** a product needs this many reviews in the window to be ranked among the lowest rated */
  minReviews?: number;
  limit?: number;
}

/** Words too common to say anything about a product. */
export const STOP_WORDS = [
  'the', 'and', 'for', 'are', 'but', 'not', 'you', 'all', 'any', 'can', 'had', 'her', 'was', 'one', 'our', 'out', 'has', 'him',
  'his', 'how', 'its', 'let', 'may', 'she', 'too', 'use', 'who', 'did', 'get', 'got', 'this', 'that', 'with', 'have', 'from',
  'they', 'will', 'would', 'there', 'their', 'what', 'about', 'which', 'when', 'were', 'been', 'than', 'then', 'them', 'these',
  'some', 'very', 'just', 'into', 'also', 'only', 'after', 'again', 'could', 'because', 'really', 'much', 'more', 'most', 'does',
  'it\'s', 'i\'m', 'don\'t', 'didn\'t', 'doesn\'t', 'isn\'t', 'wasn\'t', 'my', 'me', 'is', 'it', 'to', 'of', 'in', 'on', 'a', 'i',
  'so', 'at', 'as', 'be', 'or', 'an', 'if', 'we', 'do', 'no', 'up', 'by', 'am', 'product', 'item', 'bought', 'ordered',
];

function distribution(rows: Array<Record<string, unknown>>): RatingCount[] {
  const counts = new Map(rows.map((row) => [toNumber(row.rating), toNumber(row.n)]));
  return [1, 2, 3, 4, 5].map((rating) => ({ rating, count: counts.get(rating) ?? 0 }));
}

/**
 * Customer reviews for quality work (5.3): rating distribution overall and per category, and the
 * lowest-rated products with their review texts and most frequent words. Reviews without text
 * count in the ratings and not in the words.
 */
export async function reviewInsight(lake: InsightsLake, filters: ReviewFilters): Promise<ReviewInsight> {
  const params: Array<string | number> = [filters.from, filters.to];
  let where = 'dt BETWEEN $1::DATE AND $2::DATE';
  if (filters.category) where += ` AND category_slug = $${params.push(filters.category)}`;
  const minReviews = Math.max(1, Math.trunc(filters.minReviews ?? 3));
  const limit = Math.max(1, Math.min(50, Math.trunc(filters.limit ?? 10)));

  const [totals] = await lake.query(
    `SELECT count(*) AS reviews, avg(rating) AS average,
            count(*) FILTER (WHERE coalesce(trim(body), '') <> '' OR coalesce(trim(title), '') <> '') AS with_text
       FROM reviews WHERE ${where}`,
    params,
  );
  const overall = await lake.query(`SELECT rating, count(*) AS n FROM reviews WHERE ${where} GROUP BY 1`, params);
  const perCategory = await lake.query(
    `SELECT coalesce(category_slug, 'unknown') AS category, rating, count(*) AS n FROM reviews WHERE ${where} GROUP BY 1, 2`,
    params,
  );
  const categories = new Map<string, Array<Record<string, unknown>>>();
  for (const row of perCategory) {
    const key = String(row.category);
    categories.set(key, [...(categories.get(key) ?? []), row]);
  }
  const byCategory: CategoryRatings[] = [...categories.entries()]
    .map(([category, rows]) => {
      const dist = distribution(rows);
      const reviews = dist.reduce((sum, item) => sum + item.count, 0);
      const total = dist.reduce((sum, item) => sum + item.rating * item.count, 0);
      return { category, reviews, averageRating: total / reviews, distribution: dist };
    })
    .sort((a, b) => a.averageRating - b.averageRating || b.reviews - a.reviews || a.category.localeCompare(b.category));

  const lowest = await lake.query(
    `SELECT product_id, any_value(product_name) AS name, any_value(category_slug) AS category, count(*) AS reviews, avg(rating) AS average
       FROM reviews WHERE ${where} GROUP BY 1 HAVING count(*) >= ${minReviews}
      ORDER BY average, reviews DESC, product_id LIMIT ${limit}`,
    params,
  );
  const ids = lowest.map((row) => toNumber(row.product_id));
  const texts = ids.length
    ? await lake.query(
        `SELECT product_id, rating, title, body, dt,
                row_number() OVER (PARTITION BY product_id ORDER BY rating, created_at DESC, review_id) AS position
           FROM reviews
          WHERE ${where} AND product_id IN (${ids.join(', ')})
            AND (coalesce(trim(body), '') <> '' OR coalesce(trim(title), '') <> '')
          QUALIFY position <= 5`,
        params,
      )
    : [];
  const words = ids.length
    ? await lake.query(
        `SELECT product_id, word, count(*) AS n FROM (
            SELECT product_id, unnest(regexp_split_to_array(lower(coalesce(title, '') || ' ' || coalesce(body, '')), '[^\\p{L}\\p{N}'']+')) AS word
              FROM reviews WHERE ${where} AND product_id IN (${ids.join(', ')}))
          WHERE length(word) >= 3 AND word NOT IN (${STOP_WORDS.map(sqlLiteral).join(', ')})
          GROUP BY 1, 2
          QUALIFY row_number() OVER (PARTITION BY product_id ORDER BY count(*) DESC, word) <= 8`,
        params,
      )
    : [];
  return {
    totals: {
      reviews: toNumber(totals?.reviews),
      averageRating: totals?.average === null || totals?.average === undefined ? null : toNumber(totals.average),
      withText: toNumber(totals?.with_text),
    },
    distribution: distribution(overall),
    byCategory,
    lowestRated: lowest.map((row) => {
      const productId = toNumber(row.product_id);
      return {
        productId,
        name: String(row.name),
        category: String(row.category ?? ''),
        reviews: toNumber(row.reviews),
        averageRating: toNumber(row.average),
        texts: texts
          .filter((text) => toNumber(text.product_id) === productId)
          .sort((a, b) => toNumber(a.position) - toNumber(b.position))
          .map((text) => ({
            rating: toNumber(text.rating),
            title: text.title === null ? null : String(text.title),
            body: text.body === null ? null : String(text.body),
            date: toDateText(text.dt),
          })),
        topWords: words
          .filter((word) => toNumber(word.product_id) === productId)
          .map((word) => ({ word: String(word.word), count: toNumber(word.n) }))
          .sort((a, b) => b.count - a.count || a.word.localeCompare(b.word)),
      };
    }),
  };
}
