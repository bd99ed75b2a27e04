import { useState, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';

import { api, describeError, toQuery } from '../../../lib/api';
import { useApi } from '../../../lib/use-api';
import { useDataHealth } from '../../admin/pipeline/pipeline-api';
import { formatWhen, label } from '../format';
import type { InsightEnvelope } from '../insights-api';
import { PipelineNotice } from './PipelineNotice';

export interface FilterSpec {
  name: string;
  label: string;
  options: readonly string[];
}

interface DashboardFrameProps<T> {
  title: string;
  intro: string;
  /** API path below /api/insights, e.g. 'sales'. */
  endpoint: string;
  filters?: readonly FilterSpec[];
  /** Extra query parameters the page controls itself (e.g. the segment dimension). */
  extraParams?: Record<string, string | undefined>;
  isEmpty?: (data: T) => boolean;
  emptyText?: string;
  children: (data: T) => ReactNode;
}

const PRESETS = [7, 30, 90] as const;

function shiftDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Frame of every dashboard: date range with presets, filters kept in the URL (so a link shares
 * exactly this view), "data as of", cache state, refresh now, and loading / empty / error states.
 */
export function DashboardFrame<T extends InsightEnvelope>({ title, intro, endpoint, filters = [], extraParams = {}, isEmpty, emptyText, children }: DashboardFrameProps<T>) {
  const [search, setSearch] = useSearchParams();
  const [refreshNote, setRefreshNote] = useState<string | null>(null);
  const [isRefreshing, setIsRefreshing] = useState(false);
  const params: Record<string, string | undefined> = { from: search.get('from') ?? undefined, to: search.get('to') ?? undefined, ...extraParams };
  for (const filter of filters) params[filter.name] = search.get(filter.name) ?? undefined;
  const state = useApi<T>(`/api/insights/${endpoint}${toQuery(params)}`);
  const health = useDataHealth();
  const data = state.data;

  const update = (changes: Record<string, string | undefined>): void => {
    const next = new URLSearchParams(search);
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === '') next.delete(key);
      else next.set(key, value);
    }
    setSearch(next, { replace: true });
  };

  const refresh = async (): Promise<void> => {
    setIsRefreshing(true);
    setRefreshNote(null);
    try {
      const result = await api<{ entries: number; ms: number }>('/api/insights/refresh', { method: 'POST' });
      setRefreshNote(`Refreshed ${result.entries} saved views in ${(result.ms / 1000).toFixed(1)} s.`);
      state.reload();
    } catch (error) {
      setRefreshNote(describeError(error));
    } finally {
      setIsRefreshing(false);
    }
  };

  const windowTo = data?.window.to ?? params.to;
  return (
    <div className="insights">
      <header className="insights__header">
        <div>
          <p className="eyebrow">Insights</p>
          <h1>{title}</h1>
          <p className="muted insights__intro">{intro}</p>
        </div>
        <div className="insights__freshness" aria-live="polite">
          <span>
            Data as of <strong data-testid="as-of">{data ? formatWhen(data.asOf) : '…'}</strong>
          </span>
          {data ? (
            <span className={`badge ${data.cache.status === 'hit' ? 'badge--ok' : ''}`} title={`computed ${formatWhen(data.cache.computedAt)} in ${data.cache.computationMs} ms`}>
              {data.cache.status === 'hit' ? 'saved view' : 'live query'}
            </span>
          ) : null}
          <button type="button" className="button button--secondary button--small" onClick={() => void refresh()} disabled={isRefreshing}>
            {isRefreshing ? 'Refreshing…' : 'Refresh now'}
          </button>
        </div>
      </header>

      <form className="insights__filters" aria-label={`${title} filters`} onSubmit={(event) => event.preventDefault()}>
        <div className="field field--inline">
          <label htmlFor="insight-from">From</label>
          <input id="insight-from" type="date" value={data?.window.from ?? params.from ?? ''} max={windowTo} onChange={(event) => update({ from: event.target.value, to: windowTo })} />
        </div>
        <div className="field field--inline">
          <label htmlFor="insight-to">To</label>
          <input id="insight-to" type="date" value={windowTo ?? ''} onChange={(event) => update({ to: event.target.value, from: data?.window.from })} />
        </div>
        <div className="insights__presets" role="group" aria-label="Quick ranges">
          {PRESETS.map((days) => (
            <button
              key={days}
              type="button"
              className="button button--secondary button--small"
              disabled={!windowTo}
              aria-pressed={data ? shiftDays(data.window.to, -(days - 1)) === data.window.from : false}
              onClick={() => windowTo && update({ from: shiftDays(windowTo, -(days - 1)), to: windowTo })}
            >
              {days} days
            </button>
          ))}
        </div>
        {filters.map((filter) => (
          <div className="field field--inline" key={filter.name}>
            <label htmlFor={`insight-${filter.name}`}>{filter.label}</label>
            <select id={`insight-${filter.name}`} value={params[filter.name] ?? ''} onChange={(event) => update({ [filter.name]: event.target.value })}>
              <option value="">All</option>
              {filter.options.map((option) => (
                <option key={option} value={option}>
                  {label(option)}
                </option>
              ))}
            </select>
          </div>
        ))}
      </form>
      {refreshNote ? <p className="insight-note" role="status">{refreshNote}</p> : null}
      <PipelineNotice health={health.data} />

      {state.error ? (
        <div className="insight-error" role="alert">
          <p>{describeError(state.error)}</p>
          <button type="button" className="button button--small" onClick={state.reload}>Try again</button>
        </div>
      ) : !data || state.isLoading ? (
        <div className="insight-loading" aria-busy="true" aria-label="Loading figures">
          <div className="insight-skeleton" />
          <div className="insight-skeleton" />
        </div>
      ) : isEmpty?.(data) ? (
        <div className="insight-empty insight-empty--large">
          <h2>Nothing to show for {data.window.from} – {data.window.to}</h2>
          <p>{emptyText ?? (health.data?.state === 'ok' ? 'Try a longer date range or fewer filters.' : 'Try a longer date range or fewer filters; see the note above for the state of the data pipeline.')}</p>
        </div>
      ) : (
        children(data)
      )}
    </div>
  );
}
