import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';

import { toQuery } from '../../lib/api';
import { useApi } from '../../lib/use-api';
import { Chart, HEAT_RAMP, type ChartOption } from './components/Chart';
import { DashboardFrame } from './components/DashboardFrame';
import { DataTable } from './components/DataTable';
import { Kpis } from './components/Kpis';
import { formatInt, formatShare } from './format';
import { DEVICES, TRAFFIC_SOURCES, VISITOR_REGIONS, type HeatCell, type HourFigures, type PeakHoursData } from './insights-api';
import './insights.css';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const HOURS = Array.from({ length: 24 }, (_, hour) => `${String(hour).padStart(2, '0')}:00`);

type Clock = 'shop' | 'local';

export function hourRange(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00–${String((hour + 1) % 24).padStart(2, '0')}:00`;
}

/** "2026-03-02", "2026-03-02 (2 of 7 days)" or, for the week that runs to today, "… (4 of 7 days, today so far)". */
function weekLabel(week: PeakHoursData['weekly'][number]): string {
  if (week.days >= 7 && week.elapsedDays >= week.days) return week.weekStart;
  return `${week.weekStart} (${week.days} of 7 days${week.elapsedDays < week.days ? ', today so far' : ''})`;
}

function heatmapOption(cells: readonly HeatCell[]): ChartOption {
  const max = Math.max(1, ...cells.map((cell) => cell.visits));
  return {
    tooltip: { formatter: (params: { value: [number, number, number] }) => `${WEEKDAYS[params.value[1]]} ${hourRange(params.value[0])}: ${formatInt(params.value[2])} visits` },
    // legend below the hour labels with its numbers at its ends (not above it, where they ran into
    // the hour labels on a phone); hours as two digits so eight of them fit a phone's width
    grid: { left: 48, right: 16, top: 8, bottom: 64 },
    xAxis: { type: 'category', data: HOURS, splitArea: { show: true }, axisLabel: { interval: 2, hideOverlap: true, formatter: (value: string) => value.slice(0, 2) }, name: 'h', nameGap: 4 },
    yAxis: { type: 'category', data: WEEKDAYS, inverse: true },
    visualMap: {
      min: 0, max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemWidth: 12, itemHeight: 140,
      text: [formatInt(max), '0'], textGap: 6, inRange: { color: HEAT_RAMP },
    },
    series: [{ type: 'heatmap', data: cells.map((cell) => [cell.hour, cell.weekday - 1, cell.visits]) }],
  };
}

function byHourOption(rows: readonly HourFigures[]): ChartOption {
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 56, right: 56, top: 36, bottom: 32 },
    xAxis: { type: 'category', data: HOURS },
    yAxis: [{ type: 'value', name: 'Visits' }, { type: 'value', name: 'Conversions', splitLine: { show: false } }],
    series: [
      { name: 'Visits', type: 'bar', data: rows.map((row) => row.visits) },
      { name: 'Sessions', type: 'bar', data: rows.map((row) => row.sessions) },
      { name: 'Conversions', type: 'line', yAxisIndex: 1, data: rows.map((row) => row.conversions) },
    ],
  };
}

function Comparison({ data, clock }: { data: PeakHoursData; clock: Clock }) {
  const [search, setSearch] = useSearchParams();
  const compareFrom = search.get('compareFrom') ?? undefined;
  const compareTo = search.get('compareTo') ?? undefined;
  const path = compareFrom && compareTo ? `/api/insights/peak-hours${toQuery({ from: compareFrom, to: compareTo, region: search.get('region'), device: search.get('device'), source: search.get('source') })}` : null;
  const other = useApi<PeakHoursData>(path);
  const set = (changes: Record<string, string>): void => {
    const next = new URLSearchParams(search);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setSearch(next, { replace: true });
  };
  const option = useMemo<ChartOption | null>(() => {
    if (!other.data) return null;
    const pick = (result: PeakHoursData): HourFigures[] => (clock === 'shop' ? result.byHour : result.byHourLocal);
    return {
      tooltip: { trigger: 'axis', valueFormatter: (value: number) => `${value.toFixed(1)} %` },
      legend: { top: 0 },
      grid: { left: 56, right: 24, top: 36, bottom: 32 },
      xAxis: { type: 'category', data: HOURS },
      yAxis: { type: 'value', name: 'Share of visits', axisLabel: { formatter: '{value} %' } },
      series: [
        { name: `${data.window.from} – ${data.window.to}`, type: 'line', data: pick(data).map((row) => Math.round((row.share ?? 0) * 1000) / 10) },
        { name: `${other.data.window.from} – ${other.data.window.to}`, type: 'line', lineStyle: { type: 'dashed' }, data: pick(other.data).map((row) => Math.round((row.share ?? 0) * 1000) / 10) },
      ],
    };
  }, [data, other.data, clock]);
  return (
    <section className="insight-chart" aria-labelledby="compare-title">
      <h3 id="compare-title">Compare with another period</h3>
      <div className="field-row">
        <div className="field field--inline">
          <label htmlFor="compare-from">From</label>
          <input id="compare-from" type="date" value={compareFrom ?? ''} onChange={(event) => set({ compareFrom: event.target.value })} />
        </div>
        <div className="field field--inline">
          <label htmlFor="compare-to">To</label>
          <input id="compare-to" type="date" value={compareTo ?? ''} onChange={(event) => set({ compareTo: event.target.value })} />
        </div>
      </div>
      {!path ? <p className="insight-explain">Pick a second period (for example the same weeks last year, or before a campaign) to compare the daily rhythm.</p> : null}
      {option ? <Chart title="Share of visits by hour, two periods" option={option} explanation="Each line is the share of its period's visits per hour, so periods of different length compare fairly." /> : null}
    </section>
  );
}

function PeakHoursView({ data }: { data: PeakHoursData }) {
  const [clock, setClock] = useState<Clock>('shop');
  const hours = clock === 'shop' ? data.byHour : data.byHourLocal;
  const cells = clock === 'shop' ? data.heatmap : data.heatmapLocal;
  const peaks = clock === 'shop' ? data.topPeaks : data.topPeaksLocal;
  const heat = useMemo(() => heatmapOption(cells), [cells]);
  const bars = useMemo(() => byHourOption(hours), [hours]);
  const weekly = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 56, right: 24, top: 16, bottom: 32 },
      xAxis: { type: 'category', data: data.weekly.map((week) => week.weekStart) },
      yAxis: { type: 'value', name: 'Visits per day' },
      series: [{ type: 'line', name: 'Visits per day', data: data.weekly.map((week) => Math.round(week.visitsPerDay)), smooth: true, areaStyle: { opacity: 0.15 } }],
    }),
    [data],
  );
  const clockName = clock === 'shop' ? `shop time (${data.timeZone})` : "visitors' local time";
  return (
    <>
      <Kpis
        items={[
          { label: 'Visits', value: formatInt(data.totals.visits) },
          { label: 'Sessions', value: formatInt(data.totals.sessions) },
          { label: 'Unique visitors', value: formatInt(data.totals.visitors) },
          { label: 'Conversions', value: formatInt(data.totals.conversions) },
          { label: 'Peak hour', value: peaks[0] ? hourRange(peaks[0].hour) : '—', hint: peaks[0] ? `${formatShare(peaks[0].share)} of visits` : undefined },
          { label: 'Quietest hour', value: data.quietestHour ? hourRange(data.quietestHour.hour) : '—', hint: 'shop time: the maintenance window' },
        ]}
      />
      <div className="segment-tabs" role="radiogroup" aria-label="Clock">
        {(['shop', 'local'] as const).map((value) => (
          <button key={value} type="button" role="radio" aria-checked={clock === value} className={`chip ${clock === value ? 'chip--active' : ''}`} onClick={() => setClock(value)}>
            {value === 'shop' ? `Shop time (${data.timeZone})` : "Visitors' local time"}
          </button>
        ))}
      </div>
      <Chart title={`Visits by weekday and hour, ${clock === 'shop' ? 'shop time' : 'local time'}`} option={heat} explanation={`Darker cells are busier: each cell counts page visits in that weekday and hour, in ${clockName}. Bots are left out.`} height={300} />
      <div className="insight-grid">
        <Chart title={`Visits, sessions and conversions by hour, ${clock === 'shop' ? 'shop time' : 'local time'}`} option={bars} explanation="Conversions are paid orders. Time campaigns and e-mails for the tall bars; plan maintenance for the short ones." />
        <Chart title="Visits per day, by week" option={weekly} explanation="Average daily visits of each week in the window (a week the window cuts short counts only its days in it); the table below gives the change week over week." />
      </div>
      <DataTable
        title="Top peak hours"
        rows={peaks}
        columns={[
          { key: 'hour', label: 'Hour', value: (row) => hourRange(row.hour) },
          { key: 'visits', label: 'Visits', value: (row) => row.visits, render: (row) => formatInt(row.visits), isNumeric: true },
          { key: 'share', label: 'Share of visits', value: (row) => row.share, render: (row) => formatShare(row.share), isNumeric: true },
          { key: 'sessions', label: 'Sessions', value: (row) => row.sessions, isNumeric: true },
          { key: 'conversion', label: 'Conversion rate', value: (row) => row.conversionRate, render: (row) => formatShare(row.conversionRate), isNumeric: true },
        ]}
      />
      <DataTable
        title="Week over week"
        rows={data.weekly}
        columns={[
          { key: 'week', label: 'Week of', value: (row) => row.weekStart, render: (row) => weekLabel(row) },
          { key: 'visits', label: 'Visits', value: (row) => row.visits, render: (row) => formatInt(row.visits), isNumeric: true },
          { key: 'perDay', label: 'Visits per day', value: (row) => row.visitsPerDay, render: (row) => formatInt(Math.round(row.visitsPerDay)), isNumeric: true },
          { key: 'change', label: 'Change per day', value: (row) => row.visitsChange, render: (row) => (row.visitsChange === null ? '—' : `${row.visitsChange >= 0 ? '+' : ''}${formatShare(row.visitsChange)}`), isNumeric: true },
          { key: 'conversions', label: 'Conversions', value: (row) => row.conversions, isNumeric: true },
          { key: 'peak', label: 'Peak hour', value: (row) => (row.peakHour === null ? null : hourRange(row.peakHour)) },
        ]}
      />
      <Comparison data={data} clock={clock} />
    </>
  );
}

/** Dashboard 5.1: when visitors come, in the shop's time and in their own. */
export default function PeakHoursPage() {
  return (
    <DashboardFrame<PeakHoursData>
      title="Peak visiting hours"
      intro="When people visit and buy: time campaigns for the busy hours and maintenance for the quiet one."
      endpoint="peak-hours"
      filters={[
        { name: 'region', label: 'Region', options: VISITOR_REGIONS },
        { name: 'device', label: 'Device', options: DEVICES },
        { name: 'source', label: 'Traffic', options: TRAFFIC_SOURCES },
      ]}
      isEmpty={(data) => data.totals.visits === 0}
      emptyText="No visits recorded in this window. Live traffic lands within a minute; imported history after `threadline import access-logs`."
    >
      {(data) => <PeakHoursView data={data} />}
    </DashboardFrame>
  );
}
