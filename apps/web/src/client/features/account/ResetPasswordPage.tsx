import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router';

import { api } from '../../lib/api';
import { NO_ERRORS, toFormErrors, type FormErrors } from '../../lib/form-errors';

/** Sets a new password with the token from the e-mailed link (`/reset-password#token=…`). */
export default function ResetPasswordPage() {
  const location = useLocation();
  const [token] = useState(() => /(?:^#|&)token=([A-Za-z0-9_-]{20,200})/.exec(location.hash)?.[1]);
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [isDone, setIsDone] = useState(false);
  const [isBusy, setIsBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (password.length < 10) return setErrors({ fields: { password: 'Use at least 10 characters.' } });
    setIsBusy(true);
    try {
      await api('/api/auth/password-reset/confirm', { method: 'POST', body: { token, password } });
      setErrors(NO_ERRORS);
      setIsDone(true);
    } catch (error) {
      setErrors(toFormErrors(error, ['password']));
    } finally {
      setIsBusy(false);
    }
  }

  if (!token) {
    return (
      <div className="page auth">
        <div className="card auth__card">
          <h1>Reset link not valid</h1>
          <p>Open the link from the e-mail again, or <Link to="/forgot-password">ask for a new one</Link>.</p>
        </div>
      </div>
    );
  }
  return (
    <div className="page auth">
      <form className="card auth__card" onSubmit={(e) => void submit(e)} noValidate>
        <h1>Choose a new password</h1>
        {isDone ? (
          <>
            <p className="alert alert--success" role="status">Your password is set. For your safety, every device that was signed in has been signed out.</p>
            <Link to="/login" className="button button--large button--block">Sign in</Link>
          </>
        ) : (
          <>
            {errors.form && <p className="alert alert--error" role="alert">{errors.form} <Link to="/forgot-password">Ask for a new link</Link>.</p>}
            <div className="field">
              <label htmlFor="reset-password">New password</label>
              <input id="reset-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} aria-invalid={errors.fields.password ? true : undefined} aria-describedby="reset-password-hint" />
              {errors.fields.password ? <p id="reset-password-hint" className="field-error">{errors.fields.password}</p> : <p id="reset-password-hint" className="muted small">At least 10 characters.</p>}
            </div>
            <button type="submit" className="button button--large button--block" disabled={isBusy}>{isBusy ? 'Saving…' : 'Set new password'}</button>
          </>
        )}
      </form>
    </div>
  );
}
