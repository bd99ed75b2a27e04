import { useState } from 'react';

import { describeError } from '../../../lib/api';
import { useAuditLog } from './audit-api';

const AREAS = ['', 'auth', 'user', 'product', 'order', 'account', 'data', 'backup'];
const timeFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'medium' });

/** Back office: the append-only audit log (read-only; nothing here can change an entry). */
export default function AuditPage() {
  const [area, setArea] = useState('');
  const [actorId, setActorId] = useState('');
  const [target, setTarget] = useState('');
  const [pages, setPages] = useState<number[]>([]);
  const before = pages.at(-1);
  const { data, error, isLoading } = useAuditLog({ area, actorId: actorId.trim(), target: target.trim(), ...(before === undefined ? {} : { before }) });
  const entries = data?.items ?? [];

  function resetPaging(): void {
    setPages([]);
  }

  return (
    <section aria-labelledby="audit-heading">
      <h1 id="audit-heading">Audit log</h1>
      <p className="muted">Sign-ins, failed sign-ins, role changes, publishing, order changes, refunds, exports, backups and restores. Entries cannot be changed or deleted.</p>
      <div className="toolbar">
        <label className="field field--inline"><span>Area</span>
          <select value={area} onChange={(e) => { setArea(e.target.value); resetPaging(); }}>
            {AREAS.map((value) => <option key={value} value={value}>{value === '' ? 'All' : value}</option>)}
          </select>
        </label>
        <label className="field field--inline"><span>Actor id</span>
          <input inputMode="numeric" pattern="[0-9]*" value={actorId} onChange={(e) => { setActorId(e.target.value); resetPaging(); }} placeholder="e.g. 12" />
        </label>
        <label className="field field--inline"><span>Target</span>
          <input value={target} onChange={(e) => { setTarget(e.target.value); resetPaging(); }} placeholder="e.g. order:123" />
        </label>
      </div>
      {error !== undefined && <p className="alert alert--error" role="alert">{describeError(error)}</p>}
      {isLoading && !data ? <p className="muted">Loading…</p> : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Audit log entries">
          <table className="table">
            <thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Actor</th><th scope="col">IP</th><th scope="col">Target</th><th scope="col">Details</th></tr></thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td><time dateTime={entry.at}>{timeFormat.format(new Date(entry.at))}</time></td>
                  <td><code>{entry.action}</code></td>
                  <td>{entry.actorType === 'system' ? 'System (scheduled job)' : entry.actorId === null ? 'Anonymous' : <>{entry.actorName ?? 'Deleted user'} <span className="muted">#{entry.actorId}</span></>}</td>
                  <td>{entry.ip ?? ''}</td>
                  <td>{entry.target ?? ''}</td>
                  <td><code>{Object.keys(entry.details).length === 0 ? '' : JSON.stringify(entry.details)}</code></td>
                </tr>
              ))}
            </tbody>
          </table>
          {entries.length === 0 && <p className="muted">No entries match.</p>}
        </div>
      )}
      <div className="toolbar">
        <button type="button" className="button" disabled={pages.length === 0} onClick={() => setPages(pages.slice(0, -1))}>Newer</button>
        <button type="button" className="button" disabled={!data?.nextBefore} onClick={() => data?.nextBefore && setPages([...pages, data.nextBefore])}>Older</button>
      </div>
    </section>
  );
}
