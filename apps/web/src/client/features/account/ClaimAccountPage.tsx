import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';

import { api } from '../../lib/api';
import { NO_ERRORS, toFormErrors, type FormErrors } from '../../lib/form-errors';

/**
 * /claim?token=…: customers moved over from the old shop set their first password here, with the
 * link the shop sent them (an admin issues it in the back office or with the CLI).
 */
export default function ClaimAccountPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [isBusy, setIsBusy] = useState(false);
  const [isDone, setIsDone] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (password !== confirm) return setErrors({ fields: { confirm: 'The two passwords differ.' } });
    setIsBusy(true);
    try {
      await api('/api/auth/claim', { method: 'POST', body: { token, password } });
      setIsDone(true);
    } catch (error) {
      setErrors(toFormErrors(error, ['password', 'token']));
    } finally {
      setIsBusy(false);
    }
  }

  if (isDone) {
    return (
      <div className="page auth">
        <div className="card auth__card">
          <h1>Your account is ready</h1>
          <p>Your order history from our previous shop is waiting for you.</p>
          <Link to="/login?next=/orders" className="button button--large button--block">Sign in</Link>
        </div>
      </div>
    );
  }
  return (
    <div className="page auth">
      <form className="card auth__card" onSubmit={submit} noValidate>
        <h1>Set your password</h1>
        <p className="muted">Welcome to the new Threadline shop. Choose a password to use your account and see your past orders.</p>
        {!token ? <p className="alert alert--error" role="alert">This link is incomplete. Use the full link from your e-mail, or ask us for a new one.</p> : null}
        {errors.form && <p className="alert alert--error" role="alert">{errors.form}</p>}
        {errors.fields.token && <p className="alert alert--error" role="alert">{errors.fields.token}</p>}
        <div className="field">
          <label htmlFor="claim-password">New password</label>
          <input id="claim-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} aria-invalid={errors.fields.password ? true : undefined} aria-describedby={errors.fields.password ? 'claim-password-error' : undefined} />
          {errors.fields.password && <p id="claim-password-error" className="field-error">{errors.fields.password}</p>}
        </div>
        <div className="field">
          <label htmlFor="claim-confirm">Repeat the password</label>
          <input id="claim-confirm" type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} aria-invalid={errors.fields.confirm ? true : undefined} aria-describedby={errors.fields.confirm ? 'claim-confirm-error' : undefined} />
          {errors.fields.confirm && <p id="claim-confirm-error" className="field-error">{errors.fields.confirm}</p>}
        </div>
        <button type="submit" className="button button--large button--block" disabled={isBusy || !token}>{isBusy ? 'Saving…' : 'Set password'}</button>
      </form>
    </div>
  );
}
