import { useState } from 'react';

import { api, describeError, toQuery } from '../../../lib/api';
import { useApi } from '../../../lib/use-api';
import './outbox.css';

interface OutboxItem {
  id: number;
  template: string;
  to: string;
  subject: string;
  orderId: number | null;
  status: 'queued' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
}

interface OutboxPageData {
  items: OutboxItem[];
  nextBefore: number | null;
  counts: { queued: number; sent: number; failed: number };
  isDelivering: boolean;
}

const TEMPLATE_LABELS: Record<string, string> = {
  order_confirmation: 'Order confirmation',
  order_shipped: 'Shipped',
  password_reset: 'Password reset',
  account_claim: 'Account claim',
};

const when = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' });

function MailPreview({ id, onClose }: { id: number; onClose: () => void }) {
  const { data, error } = useApi<OutboxItem & { html: string; text: string }>(`/api/admin/outbox/${id}`);
  return (
    <section className="card" aria-label="E-mail preview">
      <div className="address-card">
        <h2>{data?.subject ?? 'Loading…'}</h2>
        <button type="button" className="button button--secondary" onClick={onClose}>Close</button>
      </div>
      {error !== undefined && <p className="alert alert--error" role="alert">{describeError(error)}</p>}
      {data && (
        <>
          <p className="muted">To {data.to} · {when.format(new Date(data.createdAt))}{data.lastError && <> · last error: {data.lastError}</>}</p>
          {/* the mail's own HTML, shown inert: no scripts, no same-origin access */}
          <iframe title={`E-mail ${data.subject}`} sandbox="" srcDoc={data.html} className="mail-preview" />
        </>
      )}
    </section>
  );
}

/** Back office → Outbox: every e-mail the shop wrote, and whether it went out. */
export default function OutboxPage() {
  const [status, setStatus] = useState<'' | OutboxItem['status']>('');
  const [openId, setOpenId] = useState<number | undefined>();
  const [actionError, setActionError] = useState<unknown>();
  const { data, error, isLoading, reload } = useApi<OutboxPageData>(`/api/admin/outbox${toQuery({ status })}`);

  async function retry(id: number) {
    setActionError(undefined);
    try {
      await api(`/api/admin/outbox/${id}/retry`, { method: 'POST' });
      reload();
    } catch (caught) {
      setActionError(caught);
    }
  }

  return (
    <section aria-labelledby="outbox-heading" className="account-page">
      <div>
        <h1 id="outbox-heading">Outbox</h1>
        <p className="muted">Order confirmations, shipping notices, password resets and account claims the shop has written.</p>
        {data && !data.isDelivering && (
          <p className="alert alert--info" role="status">SMTP_URL is not set for this shop: new e-mails are kept here (queued) and not sent. Set SMTP_URL and the worker delivers them, with retries.</p>
        )}
      </div>
      {data && (
        <p className="muted">{data.counts.queued} queued · {data.counts.sent} sent · {data.counts.failed} failed</p>
      )}
      <label className="field field--inline outbox-filter">
        <span>Status</span>
        {/* cast: the options below are exactly the members of the status union */}
        <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
          <option value="">All</option>
          <option value="queued">Queued</option>
          <option value="sent">Sent</option>
          <option value="failed">Failed</option>
        </select>
      </label>
      {error !== undefined && <p className="alert alert--error" role="alert">{describeError(error)}</p>}
      {actionError !== undefined && <p className="alert alert--error" role="alert">{describeError(actionError)}</p>}
      {openId !== undefined && <MailPreview id={openId} onClose={() => setOpenId(undefined)} />}
      {isLoading && !data ? <p className="muted">Loading…</p> : (data?.items.length ?? 0) === 0 ? (
        <div className="empty-state"><h2>No e-mails yet</h2><p>Mails appear here when orders are paid or shipped and when customers reset passwords.</p></div>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="outbox-table">
            <thead><tr><th scope="col">Written</th><th scope="col">To</th><th scope="col">E-mail</th><th scope="col">Status</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {(data?.items ?? []).map((mail) => (
                <tr key={mail.id}>
                  <td>{when.format(new Date(mail.createdAt))}</td>
                  <td>{mail.to}</td>
                  <td><span className="muted small">{TEMPLATE_LABELS[mail.template] ?? mail.template}</span><br />{mail.subject}</td>
                  <td>{mail.status === 'sent' ? 'Sent' : mail.status === 'failed' ? `Failed after ${mail.attempts} attempts` : mail.attempts > 0 ? `Retrying (${mail.attempts})` : 'Queued'}{mail.lastError && mail.status !== 'sent' && <><br /><span className="muted small">{mail.lastError}</span></>}</td>
                  <td>
                    <button type="button" className="button button--small" onClick={() => setOpenId(mail.id)} aria-label={`View e-mail “${mail.subject}” to ${mail.to}`}>View</button>
                    {mail.status === 'failed' && <> <button type="button" className="button button--small button--secondary" onClick={() => void retry(mail.id)}>Retry</button></>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
