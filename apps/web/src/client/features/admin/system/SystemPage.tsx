import { useMemo, useState } from 'react';

import { describeError } from '../../../lib/api';
import { Chart, type ChartOption } from '../../insights/components/Chart';
import { useSystem, type SystemChart, type SystemStatus } from './system-api';
import './system.css';

const WINDOWS = [15, 60, 360, 1440] as const;
const timeFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' });

const percent = (ratio: number | null): string => (ratio === null ? '—' : `${(ratio * 100).toFixed(0)} %`);
const when = (iso: string | null): string => (iso ? timeFormat.format(new Date(iso)) : 'never');

function formatValue(unit: string, value: number): string {
  if (unit === 'ratio') return `${(value * 100).toFixed(1)} %`;
  if (unit === 's') return `${(value * 1000).toFixed(0)} ms`;
  if (unit === 'bytes') return `${(value / 1048576).toFixed(1)} MB`;
  return value.toFixed(2);
}

function chartOption(chart: SystemChart): ChartOption {
  return {
    tooltip: { trigger: 'axis', valueFormatter: (value: unknown) => (typeof value === 'number' ? formatValue(chart.unit, value) : String(value)) },
    legend: { bottom: 0 },
    grid: { left: 56, right: 16, top: 16, bottom: 48 },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', axisLabel: { formatter: (value: number) => formatValue(chart.unit, value) } },
    series: chart.series.map((series) => ({ name: series.name, type: 'line', showSymbol: false, data: series.points })),
  };
}

function Figure({ label, value, tone }: { label: string; value: string; tone?: 'ok' | 'warn' | 'bad' }) {
  return (
    <div className={`figure figure--${tone ?? 'ok'}`}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function Overview({ status }: { status: SystemStatus }) {
  const backupTone = !status.backup.lastBackupAt ? 'bad' : (status.backup.lastBackupAgeHours ?? 0) > 26 ? 'bad' : 'ok';
  const walTone = !status.wal ? 'warn' : !status.wal.isArchiving ? 'bad' : status.wal.lastFailedAt && (!status.wal.lastArchivedAt || status.wal.lastFailedAt > status.wal.lastArchivedAt) ? 'bad' : 'ok';
  return (
    <dl className="figures">
      {status.tiers.map((tier) => (
        <Figure key={tier.tier} label={`${tier.tier} tier`} value={tier.state} tone={tier.state === 'ready' ? 'ok' : 'bad'} />
      ))}
      <Figure label="Alerts firing" value={String(status.monitoring.alerts.filter((a) => a.state === 'firing').length)} tone={status.monitoring.alerts.some((a) => a.state === 'firing') ? 'bad' : 'ok'} />
      <Figure label="Last backup" value={status.backup.lastBackupAt ? `${when(status.backup.lastBackupAt)} (${status.backup.lastBackupAgeHours} h ago)` : status.backup.detail} tone={backupTone} />
      <Figure label="Off-site copy" value={when(status.backup.offsiteLastBackupAt)} tone={status.backup.offsiteLastBackupAt ? 'ok' : 'warn'} />
      <Figure label="WAL archived" value={status.wal ? when(status.wal.lastArchivedAt) : 'unknown'} tone={walTone} />
      <Figure label="DB connections" value={status.database ? `${status.database.connections} / ${status.database.maxConnections}` : 'unknown'} />
      <Figure label="CPU load (1 min)" value={`${status.host.load1} on ${status.host.cpuCores} cores`} tone={status.host.load1 > status.host.cpuCores ? 'warn' : 'ok'} />
      <Figure label="Memory used" value={percent(status.host.memoryUsedRatio)} tone={status.host.memoryUsedRatio > 0.85 ? 'bad' : 'ok'} />
      <Figure label="Disk used" value={percent(status.host.diskUsedRatio)} tone={(status.host.diskUsedRatio ?? 0) > 0.9 ? 'bad' : 'ok'} />
    </dl>
  );
}

/** Back office → System: tiers, alerts, backups and live charts from Prometheus. Admins only. */
export default function SystemPage() {
  const [minutes, setMinutes] = useState<number>(60);
  const { data, error, isLoading } = useSystem(minutes);
  const charts = useMemo(() => (data?.charts ?? []).map((chart) => ({ chart, option: chartOption(chart) })), [data]);

  return (
    <section aria-labelledby="system-heading">
      <h1 id="system-heading">System</h1>
      <div className="toolbar">
        <label className="field field--inline">
          <span>Window</span>
          <select value={minutes} onChange={(event) => setMinutes(Number(event.target.value))}>
            {WINDOWS.map((value) => (
              <option key={value} value={value}>{value < 60 ? `${value} min` : `${value / 60} h`}</option>
            ))}
          </select>
        </label>
        {data && <span className="muted" aria-live="polite">updated {timeFormat.format(new Date(data.status.at))}, refreshes every 15 s</span>}
      </div>
      {error !== undefined && <p role="alert" className="notice notice--error">{describeError(error)}</p>}
      {isLoading && !data && <p>Loading…</p>}
      {data && (
        <>
          <Overview status={data.status} />
          <h2>Active alerts</h2>
          {data.status.monitoring.alerts.length === 0 ? (
            <p className="muted">{data.status.monitoring.isUp ? 'No alerts.' : `Prometheus is not running (${data.status.monitoring.prometheusUrl}); install prometheus and prometheus-alertmanager for alerts and charts.`}</p>
          ) : (
            // a phone is narrower than the alert table: it scrolls inside its box, not the page
            <div className="table-wrap" tabIndex={0} role="region" aria-label="Alerts">
            <table className="table">
              <thead><tr><th scope="col">Alert</th><th scope="col">State</th><th scope="col">Severity</th><th scope="col">Summary</th><th scope="col">Since</th></tr></thead>
              <tbody>
                {data.status.monitoring.alerts.map((alert) => (
                  <tr key={`${alert.name}-${alert.since}-${alert.summary}`}>
                    <td>{alert.name}</td><td>{alert.state}</td><td>{alert.severity}</td><td>{alert.summary}</td><td>{when(alert.since)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            </div>
          )}
          {data.status.backup.lastRun?.status === 'failed' && (
            <p role="alert" className="notice notice--error">Last backup run failed: {data.status.backup.lastRun.errors[0]}</p>
          )}
          <h2>Charts</h2>
          {charts.length === 0 && <p className="muted">No charts: Prometheus is not reachable.</p>}
          <div className="chart-grid">
            {charts.map(({ chart, option }) => (
              <Chart key={chart.key} title={chart.title} option={option} height={240} explanation={`${chart.title} over the last ${minutes} minutes, per tier where it applies.`} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
