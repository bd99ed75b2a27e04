import { useMemo, useState, type FormEvent } from 'react';

import { api, describeError, toQuery } from '../../lib/api';
import { parseDollarsToCents } from '../../lib/money';
import { useApi } from '../../lib/use-api';
import { Chart, HEAT_RAMP, type ChartOption } from './components/Chart';
import { DashboardFrame } from './components/DashboardFrame';
import { DataTable } from './components/DataTable';
import { Kpis } from './components/Kpis';
import { formatInt, formatMoney, formatShare, label } from './format';
import { AGE_BANDS, GENDERS, REGIONS, type AdChannelsData, type AnswersData, type ChannelBreakdown } from './insights-api';
import './insights.css';

function heatmap(breakdown: readonly ChannelBreakdown[], channels: readonly string[]): ChartOption {
  const segments = breakdown.map((row) => row.segment);
  const cells = breakdown.flatMap((row, y) =>
    channels.map((channel, x) => [x, y, Math.round((row.channels.find((item) => item.channel === channel)?.share ?? 0) * 1000) / 10]),
  );
  return {
    tooltip: { formatter: (params: { value: [number, number, number] }) => `${label(segments[params.value[1]] ?? '')} · ${label(channels[params.value[0]] ?? '')}: ${params.value[2]} %` },
    grid: { left: 110, right: 24, top: 8, bottom: 120 },
    xAxis: { type: 'category', data: channels.map(label), axisLabel: { rotate: 35 } },
    yAxis: { type: 'category', data: segments.map(label) },
    visualMap: { min: 0, max: 100, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, itemWidth: 12, inRange: { color: HEAT_RAMP }, text: ['100 %', '0 %'] },
    series: [{ type: 'heatmap', data: cells, label: { show: true, formatter: (params: { value: [number, number, number] }) => (params.value[2] > 0 ? `${params.value[2]}` : '') } }],
  };
}

function CostForm({ channels, onSaved }: { channels: readonly string[]; onSaved: () => void }) {
  const [message, setMessage] = useState<string | null>(null);
  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const cents = parseDollarsToCents(String(form.get('cost') ?? ''));
    if (cents === null) {
      setMessage('Enter the cost in dollars, e.g. 1250.00');
      return;
    }
    try {
      await api('/api/insights/ad-channels/costs', { method: 'PUT', body: { month: String(form.get('month')), channel: String(form.get('channel')), costCents: cents } });
      setMessage('Saved. Cost per respondent now includes it.');
      onSaved();
    } catch (error) {
      setMessage(describeError(error));
    }
  };
  return (
    <form className="cost-form" onSubmit={(event) => void submit(event)} aria-label="Enter what a channel cost">
      <h3>What did a channel cost?</h3>
      <div className="field-row">
        <div className="field">
          <label htmlFor="cost-month">Month</label>
          <input id="cost-month" name="month" type="month" required />
        </div>
        <div className="field">
          <label htmlFor="cost-channel">Channel</label>
          <select id="cost-channel" name="channel" required>
            {channels.map((channel) => (
              <option key={channel} value={channel}>{label(channel)}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="cost-amount">Cost (USD)</label>
          <input id="cost-amount" name="cost" inputMode="decimal" placeholder="1250.00" required />
        </div>
        <button type="submit" className="button">Save cost</button>
      </div>
      {message ? <p role="status" className="muted">{message}</p> : null}
    </form>
  );
}

function Answers({ window }: { window: { from: string; to: string } }) {
  const [search, setSearch] = useState('');
  const [channel, setChannel] = useState('');
  const [offset, setOffset] = useState(0);
  const state = useApi<AnswersData>(`/api/insights/ad-channels/answers${toQuery({ ...window, q: search || undefined, channel: channel || undefined, offset, limit: 20 })}`);
  return (
    <section className="answers" aria-labelledby="answers-title">
      <h2 id="answers-title">In their own words</h2>
      <div className="field-row">
        <div className="field">
          <label htmlFor="answers-search">Search answers</label>
          <input id="answers-search" type="search" value={search} onChange={(event) => { setSearch(event.target.value); setOffset(0); }} placeholder="e.g. billboard" />
        </div>
        <div className="field">
          <label htmlFor="answers-channel">Channel</label>
          <select id="answers-channel" value={channel} onChange={(event) => { setChannel(event.target.value); setOffset(0); }}>
            <option value="">All</option>
            {['tv', 'radio', 'newspaper_magazine', 'outdoor_billboard', 'transit', 'flyer', 'event', 'word_of_mouth', 'online_ad', 'social_media', 'search', 'other'].map((value) => (
              <option key={value} value={value}>{label(value)}</option>
            ))}
          </select>
        </div>
      </div>
      {state.error ? <p role="alert">{describeError(state.error)}</p> : null}
      {state.data && state.data.answers.length === 0 ? <p className="insight-empty">No written answers match.</p> : null}
      <ul className="answers__list">
        {state.data?.answers.map((answer, index) => (
          <li key={`${offset}-${index}`}>
            <blockquote>{answer.text}</blockquote>
            <p className="muted">{label(answer.channel)} · {answer.ageBand ?? 'age not given'} · {answer.region ? label(answer.region) : 'region not given'} · {answer.responseDate}</p>
          </li>
        ))}
      </ul>
      {state.data && state.data.total > 20 ? (
        <nav className="answers__pager" aria-label="Answer pages">
          <button type="button" className="button button--secondary button--small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - 20))}>Newer</button>
          <span className="muted">{offset + 1}–{Math.min(offset + 20, state.data.total)} of {formatInt(state.data.total)}</span>
          <button type="button" className="button button--secondary button--small" disabled={offset + 20 >= state.data.total} onClick={() => setOffset(offset + 20)}>Older</button>
        </nav>
      ) : null}
    </section>
  );
}

function AdChannelsView({ data, onCostSaved }: { data: AdChannelsData; onCostSaved: () => void }) {
  const answered = data.channels.filter((row) => row.respondents > 0);
  const channelOrder = answered.map((row) => row.channel);
  const shares = useMemo<ChartOption>(() => {
    const rows = [...answered].reverse();
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 150, right: 40, top: 8, bottom: 32 },
      xAxis: { type: 'value', axisLabel: { formatter: '{value} %' } },
      yAxis: { type: 'category', data: rows.map((row) => label(row.channel)) },
      series: [
        {
          type: 'bar',
          data: rows.map((row) => ({ value: Math.round((row.share ?? 0) * 1000) / 10, itemStyle: { color: row.isOffline ? '#0072B2' : '#B0B0B8' } })),
          label: { show: true, position: 'right', formatter: '{c} %' },
        },
      ],
    };
  }, [answered]);
  const trend = useMemo<ChartOption>(() => {
    const months = [...new Set(data.byMonth.map((row) => row.month))];
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 48, right: 24, top: 40, bottom: 32 },
      xAxis: { type: 'category', data: months },
      yAxis: { type: 'value', name: 'Respondents' },
      series: channelOrder.map((channel) => ({
        name: label(channel),
        type: 'line',
        data: months.map((month) => data.byMonth.find((row) => row.month === month && row.channel === channel)?.respondents ?? 0),
      })),
    };
  }, [data, channelOrder]);
  const top = answered[0];
  return (
    <>
      <Kpis
        items={[
          { label: 'Respondents', value: formatInt(data.totals.respondents) },
          { label: 'Found us offline', value: formatShare(data.totals.respondents === 0 ? null : data.totals.offlineRespondents / data.totals.respondents) },
          { label: 'Top channel', value: top ? `${label(top.channel)} (${formatShare(top.share)})` : '—' },
          { label: 'Survey uploads', value: formatInt(data.totals.uploads) },
        ]}
      />
      <div className="insight-grid">
        <Chart title="How respondents found the shop" option={shares} explanation="Share of survey respondents per channel. Blue: offline channels (print, broadcast, outdoor, transit, flyers, events); grey: word of mouth and online." height={Math.max(240, answered.length * 30 + 60)} />
        <Chart title="Channels by age band" option={heatmap(data.byAgeBand, channelOrder)} explanation="Each row sums to 100 %: within an age band, the share of respondents who named each channel." height={Math.max(280, data.byAgeBand.length * 34 + 150)} />
        <Chart title="Channels by region" option={heatmap(data.byRegion, channelOrder)} explanation="Within each region, the share of respondents who named each channel." height={Math.max(260, data.byRegion.length * 34 + 150)} />
        <Chart title="Channels by gender" option={heatmap(data.byGender, channelOrder)} explanation="Within each gender, the share of respondents who named each channel." height={Math.max(240, data.byGender.length * 34 + 150)} />
      </div>
      <Chart title="Respondents per month" option={trend} explanation="Answers per month of response and channel: a campaign shows as a rise in its channel's line." />
      <DataTable
        title="Channels with cost per respondent"
        rows={data.channels}
        sortKey="respondents"
        columns={[
          { key: 'channel', label: 'Channel', value: (row) => label(row.channel) },
          { key: 'offline', label: 'Offline', value: (row) => (row.isOffline ? 'yes' : 'no') },
          { key: 'respondents', label: 'Respondents', value: (row) => row.respondents, isNumeric: true },
          { key: 'share', label: 'Share', value: (row) => row.share, render: (row) => formatShare(row.share), isNumeric: true },
          { key: 'cost', label: 'Cost', value: (row) => row.costCents, render: (row) => formatMoney(row.costCents), isNumeric: true },
          { key: 'cpr', label: 'Cost per respondent', value: (row) => row.costPerRespondentCents, render: (row) => formatMoney(row.costPerRespondentCents), isNumeric: true },
        ]}
        explanation="Cost per respondent = what the marketing team entered for the months this window touches ÷ respondents who named the channel. Enter costs below."
      />
      <CostForm channels={data.channels.map((row) => row.channel)} onSaved={onCostSaved} />
      <Answers window={data.window} />
    </>
  );
}

/** Dashboard 5.2: which offline ad channel brings customers, from the uploaded surveys. */
export default function AdChannelsPage() {
  const [version, setVersion] = useState(0);
  return (
    <DashboardFrame<AdChannelsData>
      key={version}
      title="Offline advertising"
      intro="Print, broadcast and outdoor ads cannot be tracked online, so customers are asked how they found the shop. Upload new surveys under Survey upload."
      endpoint="ad-channels"
      filters={[
        { name: 'region', label: 'Region', options: REGIONS },
        { name: 'ageBand', label: 'Age band', options: AGE_BANDS },
        { name: 'gender', label: 'Gender', options: GENDERS },
      ]}
      isEmpty={(data) => data.totals.respondents === 0}
      emptyText="No survey answers in this window. Upload a survey spreadsheet (Survey upload) or widen the dates."
    >
      {(data) => <AdChannelsView data={data} onCostSaved={() => setVersion((value) => value + 1)} />}
    </DashboardFrame>
  );
}
