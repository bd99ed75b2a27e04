import { Fragment, useEffect, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';

import { api, describeError } from '../../../lib/api';
import { useApi } from '../../../lib/use-api';
import { isActive, useDataHealth, useRun, useRuns, type CatalogTable, type CatalogTableDetail, type PipelineRun, type QualityResult, type RunDetail } from './pipeline-api';
import './pipeline.css';

const timeFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'medium' });
const clockFormat = new Intl.DateTimeFormat('en-US', { timeStyle: 'medium' });
const when = (iso: string | null): string => (iso ? timeFormat.format(new Date(iso)) : '—');
const clock = (iso: string | null): string => (iso ? clockFormat.format(new Date(iso)) : '—');
const count = (value: number): string => value.toLocaleString('en-US');

function seconds(from: string | null, to: string | null): string {
  if (!from || !to) return '—';
  return `${((Date.parse(to) - Date.parse(from)) / 1000).toFixed(1)} s`;
}

function bytes(value: number): string {
  return value >= 1_048_576 ? `${(value / 1_048_576).toFixed(1)} MB` : `${(value / 1024).toFixed(0)} KB`;
}

function describeDates(dates: readonly string[]): string {
  if (dates.length === 0) return 'decided at start';
  if (dates.length === 1) return dates[0] ?? '';
  return `${dates[0]} … ${dates.at(-1)} (${dates.length} days)`;
}

const TRIGGERS: Record<string, string> = { schedule: 'Nightly schedule', manual: 'Command line', api: 'Run now', backfill: 'Backfill', first_start: 'First start' };

function StatusBadge({ status }: { status: string }) {
  return <span className={`run-status run-status--${status}`}>{status}</span>;
}

/** Run now and Backfill: both queue a run that the worker starts within seconds. */
function RunControls({ onQueued }: { onQueued: (run: PipelineRun) => void }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  const queue = async (body: Record<string, string>): Promise<void> => {
    setIsBusy(true);
    setMessage(null);
    try {
      const run = await api<PipelineRun>('/api/admin/pipeline/runs', { method: 'POST', body });
      setMessage(`Run #${run.id} queued; the worker starts it within seconds.`);
      onQueued(run);
    } catch (error) {
      setMessage(describeError(error));
    } finally {
      setIsBusy(false);
    }
  };
  const backfill = (event: FormEvent): void => {
    event.preventDefault();
    void queue({ from, to });
  };

  return (
    <div className="pipeline-controls">
      <div>
        <button type="button" className="button" disabled={isBusy} onClick={() => void queue({})}>Run now</button>
        <p className="muted">Rebuilds the days changed since the last run, plus yesterday.</p>
      </div>
      <form onSubmit={backfill} aria-label="Backfill" className="pipeline-backfill">
        <div className="field field--inline">
          <label htmlFor="backfill-from">Backfill from</label>
          <input id="backfill-from" type="date" required value={from} max={to || undefined} onChange={(event) => setFrom(event.target.value)} />
        </div>
        <div className="field field--inline">
          <label htmlFor="backfill-to">to</label>
          <input id="backfill-to" type="date" required value={to} min={from || undefined} onChange={(event) => setTo(event.target.value)} />
        </div>
        <button type="submit" className="button button--secondary" disabled={isBusy}>Backfill</button>
      </form>
      {message ? <p role="status" className="pipeline-message">{message}</p> : null}
    </div>
  );
}

function RunHistory({ runs, selected, onSelect }: { runs: PipelineRun[]; selected: number | null; onSelect: (id: number) => void }) {
  if (runs.length === 0) return <p className="muted">No run yet. "Run now" starts the first one.</p>;
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Run history">
        <thead>
          <tr><th>Run</th><th>Trigger</th><th>Status</th><th>Dates</th><th>Started</th><th className="num">Duration</th><th className="num">Rows in</th><th className="num">Rows out</th><th>Failed at</th></tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} className={run.id === selected ? 'is-selected' : undefined}>
              <td><button type="button" className="link-button" aria-pressed={run.id === selected} onClick={() => onSelect(run.id)}>#{run.id}</button></td>
              <td>{TRIGGERS[run.trigger] ?? run.trigger}</td>
              <td><StatusBadge status={run.status} /></td>
              <td>{describeDates(run.dates)}</td>
              <td>{when(run.startedAt ?? run.createdAt)}</td>
              <td className="num">{seconds(run.startedAt, run.finishedAt)}</td>
              <td className="num">{count(run.rowsIn)}</td>
              <td className="num">{count(run.rowsOut)}</td>
              <td>{run.failedStep ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function QualityRows({ results, label }: { results: QualityResult[]; label: string }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label={label}>
        <thead>
          <tr><th>Checked on</th><th>Dataset</th><th>Rule</th><th>Severity</th><th>Result</th><th className="num">Observed</th><th>Threshold</th></tr>
        </thead>
        <tbody>
          {results.map((rule) => {
            const hasSample = !rule.passed && rule.badRows.length > 0;
            return (
              <Fragment key={`${rule.phase}/${rule.dataset}/${rule.name}`}>
                <tr className={rule.passed ? undefined : 'is-failed'}>
                  <td>{rule.phase}</td>
                  <td>{rule.dataset}</td>
                  <td>{rule.name}</td>
                  <td>{rule.severity}</td>
                  <td><span className={`run-status run-status--${rule.passed ? 'succeeded' : rule.severity === 'warn' ? 'warn' : 'failed'}`}>{rule.passed ? 'pass' : 'fail'}</span></td>
                  <td className="num">{rule.observed ?? '—'}</td>
                  <td className="threshold">{rule.expected}</td>
                </tr>
                {hasSample ? (
                  <tr className="is-failed bad-rows-row">
                    <td colSpan={7}>
                      <details className="bad-rows" open={rule.severity === 'error'}>
                        <summary>{rule.badRows.length} offending row(s) of {rule.dataset} {rule.name}</summary>
                        <pre>{rule.badRows.map((row) => JSON.stringify(row, null, 1).replace(/\n\s*/g, ' ')).join('\n')}</pre>
                      </details>
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Failed rules (with their offending rows) first and open; the passing checks folded away. */
function QualityTable({ results }: { results: QualityResult[] }) {
  if (results.length === 0) return <p className="muted">No quality results (the run stopped before the quality gate).</p>;
  const byDataset = (a: QualityResult, b: QualityResult): number => a.dataset.localeCompare(b.dataset) || a.phase.localeCompare(b.phase);
  const failed = results.filter((rule) => !rule.passed).sort((a, b) => a.severity.localeCompare(b.severity) || byDataset(a, b));
  const passed = results.filter((rule) => rule.passed).sort(byDataset);
  return (
    <>
      <p>
        {results.length} checks: <strong>{passed.length} passed</strong>
        {failed.length > 0 ? <>, <strong className="pipeline-error">{failed.length} failed</strong></> : null}.
      </p>
      {failed.length > 0 ? <QualityRows results={failed} label="Failed quality rules" /> : null}
      {passed.length > 0 ? (
        <details>
          <summary>Show the {passed.length} passing checks</summary>
          <QualityRows results={passed} label="Passing quality rules" />
        </details>
      ) : null}
    </>
  );
}

function RunDetails({ detail }: { detail: RunDetail }) {
  const { run, steps, log } = detail;
  const recent = log.slice(-8);
  return (
    <section aria-labelledby="run-heading" className="pipeline-section">
      <h2 id="run-heading">Run #{run.id} <StatusBadge status={run.status} /></h2>
      <p className="muted">
        {TRIGGERS[run.trigger] ?? run.trigger} · {describeDates(run.dates)} · queued {when(run.createdAt)}
        {run.finishedAt ? ` · finished ${when(run.finishedAt)} after ${seconds(run.startedAt, run.finishedAt)}` : ''}
      </p>
      {run.error ? <p className="pipeline-error" role="alert">Failed at {run.failedStep}: {run.error}</p> : null}
      {isActive(run) ? (
        <div className="pipeline-live" aria-live="polite">
          <p><strong>{run.status === 'queued' ? 'Waiting for the worker…' : `Running: ${run.currentStep ?? 'starting'}`}</strong></p>
          <ul>{recent.map((entry, index) => <li key={`${entry.at}-${index}`}>{entry.step ? `${entry.step}: ` : ''}{entry.message}</li>)}</ul>
        </div>
      ) : null}
      <h3>Steps</h3>
      <div className="table-wrap">
        <table className="table" aria-label="Steps">
          <thead>
            <tr><th>Step</th><th>Status</th><th className="num">Attempts</th><th>Started</th><th className="num">Time</th><th className="num">Rows in</th><th className="num">Rows out</th><th>Error</th></tr>
          </thead>
          <tbody>
            {steps.map((step) => (
              <tr key={step.step}>
                <td>{step.step}</td>
                <td><StatusBadge status={step.status} /></td>
                <td className="num">{step.attempts}</td>
                <td>{step.status === 'skipped' ? '—' : clock(step.startedAt)}</td>
                <td className="num">{step.status === 'skipped' ? '—' : seconds(step.startedAt, step.finishedAt)}</td>
                <td className="num">{count(step.rowsIn)}</td>
                <td className="num">{count(step.rowsOut)}</td>
                <td>{step.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Quality results</h3>
      <QualityTable results={detail.quality} />
      {!isActive(run) && log.length > 0 ? (
        <details>
          <summary>Run log ({log.length} lines)</summary>
          <ul className="pipeline-log">{log.map((entry, index) => <li key={`${entry.at}-${index}`}><time>{when(entry.at)}</time> {entry.step ? `${entry.step}: ` : ''}{entry.message}</li>)}</ul>
        </details>
      ) : null}
    </section>
  );
}

function CatalogTableView({ name }: { name: string }) {
  const { data, error } = useApi<CatalogTableDetail>(`/api/admin/catalog/tables/${encodeURIComponent(name)}`);
  if (error) return <p role="alert">{describeError(error)}</p>;
  if (!data) return <p className="muted">Loading {name}…</p>;
  return (
    <div className="catalog-detail">
      <h3>{data.name}</h3>
      <p className="muted">{data.location} · partitioned by {data.partitionKeys.join(', ') || 'nothing'} · schema version {data.schemaVersion}</p>
      <div className="catalog-grid">
        <div className="table-wrap">
          <table className="table" aria-label={`Columns of ${data.name}`}>
            <thead><tr><th>Column</th><th>Type</th></tr></thead>
            <tbody>{data.columns.map((column) => <tr key={column.name}><td>{column.name}</td><td>{column.type}</td></tr>)}</tbody>
          </table>
        </div>
        <div className="table-wrap">
          <table className="table" aria-label={`Partitions of ${data.name}`}>
            <thead><tr><th>Partition (newest first)</th><th className="num">Rows</th><th className="num">Files</th><th className="num">Size</th></tr></thead>
            <tbody>
              {data.partitions.slice(0, 30).map((partition) => (
                <tr key={partition.path}><td>{partition.path}</td><td className="num">{count(partition.rowCount)}</td><td className="num">{partition.fileCount}</td><td className="num">{bytes(partition.sizeBytes)}</td></tr>
              ))}
            </tbody>
          </table>
          {data.partitions.length > 30 ? <p className="muted">… and {data.partitionCount - 30} older partitions.</p> : null}
        </div>
      </div>
      <h4>Schema changes</h4>
      {data.schemaChanges.length === 0 ? (
        <p className="muted">None recorded.</p>
      ) : (
        <ul>
          {data.schemaChanges.map((change) => (
            <li key={`${change.detectedAt}-${change.column}`}>
              {when(change.detectedAt)}: {change.column} {change.change.replace('_', ' ')}
              {change.oldType || change.newType ? ` (${change.oldType ?? '—'} → ${change.newType ?? '—'})` : ''}
              {change.isBreaking ? <strong> — breaking</strong> : null}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Catalog() {
  const { data, error } = useApi<{ items: CatalogTable[] }>('/api/admin/catalog/tables');
  const [open, setOpen] = useState<string | null>(null);
  if (error) return <p role="alert">{describeError(error)}</p>;
  if (!data) return <p className="muted">Loading the catalog…</p>;
  if (data.items.length === 0) return <p className="muted">Nothing catalogued yet: the catalog step of the first run registers the lake's tables.</p>;
  return (
    <>
      <div className="table-wrap">
        <table className="table" aria-label="Catalog">
          <thead><tr><th>Table</th><th className="num">Rows</th><th className="num">Partitions</th><th className="num">Files</th><th className="num">Size</th><th className="num">Columns</th><th>Updated</th></tr></thead>
          <tbody>
            {data.items.map((table) => (
              <tr key={table.name} className={table.name === open ? 'is-selected' : undefined}>
                <td><button type="button" className="link-button" aria-pressed={table.name === open} onClick={() => setOpen(table.name === open ? null : table.name)}>{table.name}</button></td>
                <td className="num">{count(table.rowCount)}</td>
                <td className="num">{count(table.partitionCount)}</td>
                <td className="num">{count(table.fileCount)}</td>
                <td className="num">{bytes(table.sizeBytes)}</td>
                <td className="num">{table.columns.length}</td>
                <td>{when(table.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {open ? <CatalogTableView name={open} /> : null}
    </>
  );
}

/**
 * Back office → Data pipeline: run history with step timings and row counts, each run's quality
 * results with offending rows, the lake catalog, and Run now / Backfill with live progress.
 */
export default function DataPipelinePage() {
  const runs = useRuns();
  const health = useDataHealth();
  const [search] = useSearchParams();
  // dashboards link here with ?run=<id> of the run that explains their state
  const [selected, setSelected] = useState<number | null>(() => (/^\d+$/.test(search.get('run') ?? '') ? Number(search.get('run')) : null));
  const latest = runs.data?.items[0];
  const shownId = selected ?? latest?.id ?? null;
  const detail = useRun(shownId);
  const { reload: reloadRuns } = runs;
  const { reload: reloadHealth } = health;
  const detailStatus = detail.data?.run.status;
  // when the shown run finishes, the history and the health line change too
  useEffect(() => {
    reloadRuns();
    reloadHealth();
  }, [detailStatus, reloadRuns, reloadHealth]);

  return (
    <section aria-labelledby="pipeline-heading" className="pipeline-page">
      <h1 id="pipeline-heading">Data pipeline</h1>
      <p className="muted">Nightly at 02:00 (shop time): extract from the shop database → quality gate → publish to the lake → verify → catalog → refresh dashboards.</p>
      {health.data?.message ? (
        <p className={`pipeline-health pipeline-health--${health.data.state}`} role="status">{health.data.message}</p>
      ) : health.data ? (
        <p className="pipeline-health pipeline-health--ok" role="status">The dashboards show the latest published data{health.data.lastSuccessAt ? ` (run finished ${when(health.data.lastSuccessAt)})` : ''}.</p>
      ) : null}
      <RunControls
        onQueued={(run) => {
          setSelected(run.id);
          reloadRuns();
        }}
      />
      <h2>Run history</h2>
      {runs.error ? <p role="alert">{describeError(runs.error)}</p> : runs.data ? <RunHistory runs={runs.data.items} selected={shownId} onSelect={setSelected} /> : <p className="muted">Loading…</p>}
      {detail.error ? <p role="alert">{describeError(detail.error)}</p> : detail.data ? <RunDetails detail={detail.data} /> : null}
      <h2>Catalog</h2>
      <Catalog />
    </section>
  );
}
