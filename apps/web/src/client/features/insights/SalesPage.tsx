import { useMemo } from 'react';

import { Chart, type ChartOption } from './components/Chart';
import { DashboardFrame } from './components/DashboardFrame';
import { DataTable, type Column } from './components/DataTable';
import { Kpis } from './components/Kpis';
import { formatDollarsCompact, formatInt, formatMoney, formatShare } from './format';
import { REGIONS, type SalesData, type SalesRateRow } from './insights-api';
import './insights.css';
import { useCategorySlugs } from './use-categories';

function rateColumns(nameLabel: string): Array<Column<SalesRateRow>> {
  return [
    { key: 'name', label: nameLabel, value: (row) => row.name },
    { key: 'units', label: 'Units sold', value: (row) => row.unitsSold, render: (row) => formatInt(row.unitsSold), isNumeric: true },
    { key: 'revenue', label: 'Revenue', value: (row) => row.revenueCents, render: (row) => formatMoney(row.revenueCents), isNumeric: true },
    { key: 'stock', label: 'In stock', value: (row) => row.stockOnHand, render: (row) => formatInt(row.stockOnHand), isNumeric: true },
    { key: 'sellThrough', label: 'Sell-through', value: (row) => row.sellThrough, render: (row) => formatShare(row.sellThrough), isNumeric: true },
    { key: 'views', label: 'Views', value: (row) => row.views, render: (row) => formatInt(row.views), isNumeric: true },
    { key: 'viewToCart', label: 'View → cart', value: (row) => row.viewToCart, render: (row) => formatShare(row.viewToCart), isNumeric: true },
    { key: 'cartToOrder', label: 'Cart → order', value: (row) => row.cartToOrder, render: (row) => formatShare(row.cartToOrder), isNumeric: true },
  ];
}

function SalesView({ data }: { data: SalesData }) {
  const overTime = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 64, right: 48, top: 36, bottom: 32 },
      xAxis: { type: 'category', data: data.overTime.map((day) => day.date) },
      yAxis: [
        { type: 'value', name: 'Revenue ($)', axisLabel: { formatter: formatDollarsCompact } },
        { type: 'value', name: 'Orders', splitLine: { show: false } },
      ],
      series: [
        { name: 'Revenue', type: 'bar', data: data.overTime.map((day) => day.revenueCents / 100), itemStyle: { color: '#0072B2' } },
        { name: 'Orders', type: 'line', yAxisIndex: 1, data: data.overTime.map((day) => day.orders), itemStyle: { color: '#E69F00' } },
      ],
    }),
    [data],
  );
  const sellThrough = useMemo<ChartOption>(() => {
    const rows = [...data.byCategory].filter((row) => row.sellThrough !== null).sort((a, b) => (a.sellThrough ?? 0) - (b.sellThrough ?? 0));
    return {
      tooltip: { trigger: 'axis', valueFormatter: (value: number) => `${value.toFixed(1)} %` },
      grid: { left: 120, right: 32, top: 16, bottom: 32 },
      xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value} %' } },
      yAxis: { type: 'category', data: rows.map((row) => row.name) },
      series: [{ type: 'bar', data: rows.map((row) => Math.round((row.sellThrough ?? 0) * 1000) / 10), itemStyle: { color: '#009E73' } }],
    };
  }, [data]);
  const { totals } = data;
  return (
    <>
      <Kpis
        items={[
          { label: 'Revenue', value: formatMoney(totals.revenueCents) },
          { label: 'Orders', value: formatInt(totals.orders) },
          { label: 'Units sold', value: formatInt(totals.units) },
          { label: 'Average order', value: formatMoney(totals.averageOrderCents) },
          { label: 'Cancelled or refunded', value: formatInt(totals.cancelledOrders) },
        ]}
      />
      <div className="insight-grid">
        <Chart title="Revenue and orders per day" option={overTime} explanation="Bars: revenue of paid, shipped and delivered orders per day; line: number of those orders. Cancelled and refunded orders are left out." />
        <Chart title="Sell-through by category" option={sellThrough} explanation="Units sold in the window ÷ (units sold + units still in stock). Low bars are categories that sit on their stock." />
      </div>
      <DataTable title="Sales rate by category" rows={data.byCategory} columns={rateColumns('Category')} sortKey="units" explanation="Views, carts and the funnel come from the clickstream and cover every region; units and revenue follow the filters." />
      <DataTable title="Products by units sold" rows={data.products} columns={rateColumns('Product')} sortKey="units" explanation="The best sellers of the window with their stock and funnel: a high view count with a low view → cart rate points at a product page or price to look at." />
    </>
  );
}

/** Dashboard 5.3 (sales): revenue over time, sell-through and the view → cart → order funnel. */
export default function SalesPage() {
  const categories = useCategorySlugs();
  return (
    <DashboardFrame<SalesData>
      title="Sales rates"
      intro="How much sold, how fast stock turns, and where shoppers drop out between viewing and ordering."
      endpoint="sales"
      filters={[
        { name: 'region', label: 'Region', options: REGIONS },
        { name: 'category', label: 'Category', options: categories },
      ]}
      isEmpty={(data) => data.totals.orders === 0 && data.byCategory.every((row) => row.views === 0)}
    >
      {(data) => <SalesView data={data} />}
    </DashboardFrame>
  );
}

