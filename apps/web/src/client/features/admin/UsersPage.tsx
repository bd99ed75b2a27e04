import { useState } from 'react';

import { useSession } from '../../app/session';
import { describeError } from '../../lib/api';
import type { Role } from '../../lib/types';
import { setRole, useAdminUsers } from './admin-api';

const ROLES: Role[] = ['customer', 'seller', 'marketing', 'admin'];
const dateFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium' });

export default function UsersPage() {
  const { user: me } = useSession();
  const [q, setQ] = useState('');
  const [role, setRoleFilter] = useState('');
  const { data, error, isLoading, reload } = useAdminUsers(q.trim(), role);
  const [notice, setNotice] = useState<{ tone: 'ok' | 'error'; text: string } | undefined>();

  async function change(userId: number, email: string | null, next: Role) {
    try {
      await setRole(userId, next);
      setNotice({ tone: 'ok', text: `${email ?? `User ${userId}`} is now ${next}.` });
      reload();
    } catch (caught) {
      setNotice({ tone: 'error', text: describeError(caught) });
    }
  }

  const users = data?.items ?? [];
  return (
    <section aria-labelledby="users-heading">
      <h1 id="users-heading">Users & roles</h1>
      <div className="toolbar">
        <label className="field field--inline"><span>Search</span><input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Name or email" /></label>
        <label className="field field--inline"><span>Role</span>
          <select value={role} onChange={(e) => setRoleFilter(e.target.value)}>
            <option value="">All</option>
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </label>
      </div>
      {notice && <p className={`alert ${notice.tone === 'ok' ? 'alert--success' : 'alert--error'}`} role={notice.tone === 'ok' ? 'status' : 'alert'}>{notice.text}</p>}
      {error !== undefined && <p className="alert alert--error" role="alert">{describeError(error)}</p>}
      {isLoading && !data ? <p className="muted">Loading…</p> : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Users">
          <table className="table">
            <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Joined</th><th scope="col">Role</th></tr></thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id}>
                  <td>{u.name}</td>
                  <td>{u.email}</td>
                  <td>{dateFormat.format(new Date(u.createdAt))}</td>
                  <td>
                    <label>
                      <span className="visually-hidden">Role of {u.email}</span>
                      <select value={u.role} disabled={u.id === me?.id} onChange={(e) => void change(u.id, u.email, e.target.value as Role /* options are ROLES */)}>
                        {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                      </select>
                    </label>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {users.length === 0 && <p className="muted">No users match.</p>}
        </div>
      )}
    </section>
  );
}
