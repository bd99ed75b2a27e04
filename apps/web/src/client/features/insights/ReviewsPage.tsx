import { useMemo } from 'react';

import { Chart, type ChartOption } from './components/Chart';
import { DashboardFrame } from './components/DashboardFrame';
import { DataTable } from './components/DataTable';
import { Kpis } from './components/Kpis';
import { formatInt, formatRating, formatShare } from './format';
import type { ReviewsData } from './insights-api';
import './insights.css';
import { useCategorySlugs } from './use-categories';

const STAR_COLOURS = ['#D55E00', '#E69F00', '#8C7A00', '#56B4E9', '#0072B2'];

function ReviewsView({ data }: { data: ReviewsData }) {
  const distribution = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 24, top: 16, bottom: 32 },
      xAxis: { type: 'category', data: data.distribution.map((row) => `${row.rating} ★`) },
      yAxis: { type: 'value', name: 'Reviews' },
      series: [{ type: 'bar', data: data.distribution.map((row, index) => ({ value: row.count, itemStyle: { color: STAR_COLOURS[index] } })) }],
    }),
    [data],
  );
  const byCategory = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      grid: { left: 110, right: 24, top: 36, bottom: 32 },
      xAxis: { type: 'value', name: 'Reviews' },
      yAxis: { type: 'category', data: data.byCategory.map((row) => row.category) },
      series: [1, 2, 3, 4, 5].map((rating, index) => ({
        name: `${rating} ★`,
        type: 'bar',
        stack: 'ratings',
        itemStyle: { color: STAR_COLOURS[index] },
        data: data.byCategory.map((row) => row.distribution.find((item) => item.rating === rating)?.count ?? 0),
      })),
    }),
    [data],
  );
  const { totals } = data;
  return (
    <>
      <Kpis
        items={[
          { label: 'Reviews', value: formatInt(totals.reviews) },
          { label: 'Average rating', value: formatRating(totals.averageRating) },
          { label: 'With text', value: formatShare(totals.reviews === 0 ? null : totals.withText / totals.reviews) },
        ]}
      />
      <div className="insight-grid">
        <Chart title="Rating distribution" option={distribution} explanation="Every review in the window by its star rating, with or without text." />
        <Chart title="Ratings per category" option={byCategory} explanation="Categories from the lowest average rating (top) to the highest; each bar split by stars." height={Math.max(240, data.byCategory.length * 28 + 80)} />
      </div>
      <section className="low-rated" aria-labelledby="low-rated-title">
        <h2 id="low-rated-title">Lowest-rated products</h2>
        <p className="insight-explain">Products with at least the minimum number of reviews in the window, worst average first, with what their reviewers say and the words they use most.</p>
        {data.lowestRated.length === 0 ? <p className="insight-empty">No product has enough reviews in this window.</p> : null}
        {data.lowestRated.map((product) => (
          <article key={product.productId} className="low-rated__item">
            <header>
              <h3>{product.name}</h3>
              <p className="muted">
                {product.category} · {formatRating(product.averageRating)} from {formatInt(product.reviews)} reviews
              </p>
            </header>
            {product.topWords.length > 0 ? (
              <ul className="word-cloud" aria-label="Most frequent words">
                {product.topWords.map((word) => (
                  <li key={word.word} style={{ fontSize: `${0.85 + Math.min(word.count, 10) * 0.06}rem` }}>
                    {word.word} <small>×{word.count}</small>
                  </li>
                ))}
              </ul>
            ) : null}
            <ul className="low-rated__texts">
              {product.texts.map((text, index) => (
                <li key={index}>
                  <span className="low-rated__stars" aria-label={`${text.rating} of 5 stars`}>{'★'.repeat(text.rating)}{'☆'.repeat(5 - text.rating)}</span>
                  {text.title ? <strong> {text.title}</strong> : null}
                  {text.body ? <span> — {text.body}</span> : null}
                  <small className="muted"> ({text.date})</small>
                </li>
              ))}
            </ul>
          </article>
        ))}
      </section>
      <DataTable
        title="Lowest-rated products"
        rows={data.lowestRated}
        columns={[
          { key: 'name', label: 'Product', value: (row) => row.name },
          { key: 'category', label: 'Category', value: (row) => row.category },
          { key: 'reviews', label: 'Reviews', value: (row) => row.reviews, isNumeric: true },
          { key: 'average', label: 'Average rating', value: (row) => Math.round(row.averageRating * 100) / 100, isNumeric: true },
          { key: 'words', label: 'Frequent words', value: (row) => row.topWords.map((word) => word.word).join(' ') },
        ]}
      />
    </>
  );
}

/** Dashboard 5.3 (reviews): ratings and what low-rated products' reviewers say, for quality work. */
export default function ReviewsPage() {
  const categories = useCategorySlugs();
  return (
    <DashboardFrame<ReviewsData>
      title="Customer reviews"
      intro="How customers rate what they bought, and what the lowest-rated products' reviews keep saying."
      endpoint="reviews"
      filters={[{ name: 'category', label: 'Category', options: categories }]}
      isEmpty={(data) => data.totals.reviews === 0}
    >
      {(data) => <ReviewsView data={data} />}
    </DashboardFrame>
  );
}
