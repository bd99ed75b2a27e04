import { useEffect, useState, type FormEvent } from 'react';
import { Link, Navigate } from 'react-router';

import { checkAddress } from '@threadline/domain';

import { useSession } from '../../app/session';
import { api, describeError } from '../../lib/api';
import { NO_ERRORS, toFormErrors, type FormErrors } from '../../lib/form-errors';
import type { AddressInput, SavedAddress } from '../../lib/types';
import { AddressFields, addressLines, EMPTY_ADDRESS } from '../checkout/AddressFields';
import { listAddresses } from '../checkout/checkout-api';
import '../checkout/checkout.css';

function AddressBook() {
  const [items, setItems] = useState<SavedAddress[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [isAdding, setIsAdding] = useState(false);
  const [draft, setDraft] = useState<AddressInput>(EMPTY_ADDRESS);
  const [draftErrors, setDraftErrors] = useState<Partial<Record<keyof AddressInput, string>>>({});

  const reload = () => {
    listAddresses()
      .then(({ items: found }) => setItems(found))
      .catch(setError);
  };
  useEffect(reload, []);

  async function run(action: () => Promise<unknown>) {
    setError(undefined);
    try {
      await action();
      reload();
    } catch (caught) {
      setError(caught);
    }
  }

  async function add(event: FormEvent) {
    event.preventDefault();
    const checked = checkAddress(draft);
    if (!checked.ok) return setDraftErrors({ [checked.field]: `${checked.reason[0]?.toUpperCase()}${checked.reason.slice(1)}.` });
    setDraftErrors({});
    await run(async () => {
      await api('/api/account/addresses', { method: 'POST', body: { address: draft } });
      setIsAdding(false);
      setDraft(EMPTY_ADDRESS);
    });
  }

  return (
    <section className="card" aria-labelledby="address-book">
      <h2 id="address-book">Address book</h2>
      {error !== undefined && <p className="alert alert--error" role="alert">{describeError(error)}</p>}
      {items === undefined ? <p className="muted">Loading…</p> : items.length === 0 && !isAdding ? <p className="muted">No saved addresses yet. Addresses you save at checkout appear here.</p> : null}
      <ul className="plain-list">
        {(items ?? []).map((item) => (
          <li key={item.id} className="address-card">
            <p>{addressLines(item).join(', ')}{item.phone && <span className="muted"> · {item.phone}</span>}{item.isDefault && <span className="badge">Default</span>}</p>
            <span className="address-card__actions">
              {!item.isDefault && <button type="button" className="link-button" onClick={() => void run(() => api(`/api/account/addresses/${item.id}/default`, { method: 'POST' }))}>Make default</button>}
              <button type="button" className="link-button" onClick={() => void run(() => api(`/api/account/addresses/${item.id}`, { method: 'DELETE' }))} aria-label={`Remove the address ${addressLines(item).join(', ')}`}>Remove</button>
            </span>
          </li>
        ))}
      </ul>
      {isAdding ? (
        <form onSubmit={(e) => void add(e)} noValidate>
          <h3>New address</h3>
          <AddressFields idPrefix="book" value={draft} onChange={setDraft} errors={draftErrors} />
          <div className="address-card__actions">
            <button type="submit" className="button">Save address</button>
            <button type="button" className="button button--secondary" onClick={() => setIsAdding(false)}>Cancel</button>
          </div>
        </form>
      ) : (
        <button type="button" className="button button--secondary" onClick={() => setIsAdding(true)}>Add an address</button>
      )}
    </section>
  );
}

function ChangePassword() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [isDone, setIsDone] = useState(false);
  const [isBusy, setIsBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setIsDone(false);
    const fields: Record<string, string> = {};
    if (!current) fields.currentPassword = 'Enter your current password.';
    if (next.length < 10) fields.newPassword = 'Use at least 10 characters.';
    if (Object.keys(fields).length > 0) return setErrors({ fields });
    setIsBusy(true);
    try {
      await api('/api/account/password', { method: 'POST', body: { currentPassword: current, newPassword: next } });
      setErrors(NO_ERRORS);
      setCurrent('');
      setNext('');
      setIsDone(true);
    } catch (error) {
      setErrors(toFormErrors(error, ['currentPassword', 'newPassword']));
    } finally {
      setIsBusy(false);
    }
  }

  return (
    <form className="card" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="change-password">
      <h2 id="change-password">Password</h2>
      {isDone && <p className="alert alert--success" role="status">Your password is changed. Every other device was signed out.</p>}
      {errors.form && <p className="alert alert--error" role="alert">{errors.form}</p>}
      <div className="field">
        <label htmlFor="current-password">Current password</label>
        <input id="current-password" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} aria-invalid={errors.fields.currentPassword ? true : undefined} aria-describedby={errors.fields.currentPassword ? 'current-password-error' : undefined} />
        {errors.fields.currentPassword && <p id="current-password-error" className="field-error">{errors.fields.currentPassword}</p>}
      </div>
      <div className="field">
        <label htmlFor="new-password">New password</label>
        <input id="new-password" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} aria-invalid={errors.fields.newPassword ? true : undefined} aria-describedby="new-password-hint" />
        {errors.fields.newPassword ? <p id="new-password-hint" className="field-error">{errors.fields.newPassword}</p> : <p id="new-password-hint" className="muted small">At least 10 characters. Changing it signs you out on every other device.</p>}
      </div>
      <button type="submit" className="button" disabled={isBusy}>{isBusy ? 'Saving…' : 'Change password'}</button>
    </form>
  );
}

/** Account settings: the address book used at checkout, and the password. */
export default function AccountPage() {
  const { user } = useSession();
  if (user === null) return <Navigate to="/login?next=/account" replace />;
  if (user === undefined) return <div className="page narrow"><p className="muted">Loading…</p></div>;
  return (
    <div className="page narrow account-page">
      <h1>Your account</h1>
      <p className="muted">Signed in as {user.email}. <Link to="/orders">My orders</Link></p>
      <AddressBook />
      <ChangePassword />
    </div>
  );
}
