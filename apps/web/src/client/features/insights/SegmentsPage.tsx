import { useMemo } from 'react';
import { useSearchParams } from 'react-router';

import { Chart, type ChartOption } from './components/Chart';
import { DashboardFrame } from './components/DashboardFrame';
import { DataTable, type Column } from './components/DataTable';
import { formatDollarsCompact, formatInt, formatMoney, formatShare, label } from './format';
import { DIMENSIONS, type SegmentProduct, type SegmentsData } from './insights-api';
import './insights.css';
import { useCategorySlugs } from './use-categories';

type FlatRow = SegmentProduct & { segment: string };

const COUNTRY_NAMES = new Intl.DisplayNames(['en'], { type: 'region' });

/** A segment as people read it: ship-to countries by name ("US" → "United States"), codes by label. */
function segmentName(dimension: string, segment: string): string {
  if (dimension === 'ship_country' && /^[A-Z]{2}$/.test(segment)) return COUNTRY_NAMES.of(segment) ?? segment;
  // free labels: shown as written
  if ((dimension === 'ship_region' || dimension === 'sales_territory') && segment !== 'unknown') return segment;
  return label(segment);
}

const columns = (dimension: string): Array<Column<FlatRow>> => [
  { key: 'segment', label: 'Segment', value: (row) => segmentName(dimension, row.segment) },
  { key: 'rank', label: 'Rank', value: (row) => row.rank, isNumeric: true },
  { key: 'name', label: 'Product', value: (row) => row.name },
  { key: 'category', label: 'Category', value: (row) => row.category },
  { key: 'units', label: 'Units', value: (row) => row.units, render: (row) => formatInt(row.units), isNumeric: true },
  { key: 'revenue', label: 'Revenue', value: (row) => row.revenueCents, render: (row) => formatMoney(row.revenueCents), isNumeric: true },
  { key: 'share', label: 'Share of segment', value: (row) => row.share, render: (row) => formatShare(row.share), isNumeric: true },
  { key: 'lift', label: 'Lift', value: (row) => row.lift, render: (row) => (row.lift === null ? '—' : `${row.lift.toFixed(2)}×`), isNumeric: true },
];

function SegmentsView({ data }: { data: SegmentsData }) {
  const revenue = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 64, right: 48, top: 36, bottom: 40 },
      xAxis: { type: 'category', data: data.segments.map((segment) => segmentName(data.dimension, segment.segment)) },
      yAxis: [
        { type: 'value', name: 'Revenue ($)', axisLabel: { formatter: formatDollarsCompact } },
        { type: 'value', name: 'Customers', splitLine: { show: false } },
      ],
      series: [
        { name: 'Revenue', type: 'bar', data: data.segments.map((segment) => segment.revenueCents / 100) },
        { name: 'Customers', type: 'line', yAxisIndex: 1, data: data.segments.map((segment) => segment.customers) },
      ],
    }),
    [data],
  );
  const flat = data.segments.flatMap((segment) => segment.topProducts.map((product) => ({ ...product, segment: segment.segment })));
  return (
    <>
      <Chart title={`Revenue and customers by ${label(data.dimension).toLowerCase()}`} option={revenue} explanation={data.dimension.startsWith('ship_') ? 'Bars: revenue of sold orders per ship-to place; line: distinct customers who bought. Orders without a ship-to address count as unknown.' : 'Bars: revenue of sold orders per segment; line: distinct customers who bought. Guests have no segment attributes.'} />
      <div className="segment-cards">
        {data.segments.map((segment, index) => (
          <section key={segment.segment} className="segment-card" aria-labelledby={`segment-${index}`}>
            <h3 id={`segment-${index}`}>{segmentName(data.dimension, segment.segment)}</h3>
            <p className="muted">
              {formatInt(segment.customers)} customers · {formatInt(segment.orders)} orders · {formatMoney(segment.revenueCents)}
            </p>
            <ol className="segment-card__list">
              {segment.topProducts.map((product) => (
                <li key={product.productId}>
                  <span className="segment-card__rank" aria-label={`rank ${product.rank}`}>{product.rank}</span>
                  <span className="segment-card__name">
                    {product.name}
                    <small className="muted"> · {product.category}</small>
                  </span>
                  <span className="segment-card__figure">{formatInt(product.units)} sold</span>
                  {product.lift !== null && product.lift >= 1.2 ? (
                    <span className="badge badge--ok" title="share in this segment ÷ share among all customers">{product.lift.toFixed(1)}× favourite</span>
                  ) : null}
                </li>
              ))}
            </ol>
          </section>
        ))}
      </div>
      <DataTable title="Top products per segment" rows={flat} columns={columns(data.dimension)} explanation="Ranked by units sold, then revenue; tied products share a rank. Lift above 1 means the segment buys the product more than customers overall." />
    </>
  );
}

/** Dashboard 5.3 (customers): popular products per customer segment, for new-product launches. */
export default function SegmentsPage() {
  const [search, setSearch] = useSearchParams();
  const categories = useCategorySlugs();
  const dimension = search.get('dimension') ?? 'age_band';
  const choose = (value: string): void => {
    const next = new URLSearchParams(search);
    next.set('dimension', value);
    setSearch(next, { replace: true });
  };
  return (
    <>
      <div className="segment-tabs" role="radiogroup" aria-label="Segment by">
        {DIMENSIONS.map((value) => (
          <button key={value} type="button" role="radio" aria-checked={dimension === value} className={`chip ${dimension === value ? 'chip--active' : ''}`} onClick={() => choose(value)}>
            {label(value)}
          </button>
        ))}
      </div>
      <DashboardFrame<SegmentsData>
        title="Popular products per customer segment"
        intro="What each kind of customer buys most: the list to read before launching or reordering a product."
        endpoint="segments"
        extraParams={{ dimension }}
        filters={[{ name: 'category', label: 'Category', options: categories }]}
        isEmpty={(data) => data.segments.length === 0}
      >
        {(data) => <SegmentsView data={data} />}
      </DashboardFrame>
    </>
  );
}
