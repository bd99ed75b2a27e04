import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';

import { api, describeError } from '../../lib/api';

/** "Forgot password?": asks for a reset link. The answer never tells whether the e-mail has an account. */
export default function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const [sent, setSent] = useState<string | undefined>();
  const [isBusy, setIsBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(undefined);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) return setFieldError('Enter the e-mail address of your account.');
    setFieldError(undefined);
    setIsBusy(true);
    try {
      const answer = await api<{ message: string }>('/api/auth/password-reset', { method: 'POST', body: { email: email.trim() } });
      setSent(answer.message);
    } catch (error) {
      setFailure(describeError(error));
    } finally {
      setIsBusy(false);
    }
  }

  return (
    <div className="page auth">
      <form className="card auth__card" onSubmit={(e) => void submit(e)} noValidate>
        <h1>Reset your password</h1>
        {sent ? (
          <>
            <p className="alert alert--success" role="status">{sent}</p>
            <p className="muted">Check your inbox (and spam folder). <Link to="/login">Back to sign in</Link></p>
          </>
        ) : (
          <>
            <p className="muted">Enter the e-mail address of your account and we will send you a link to choose a new password.</p>
            {failure && <p className="alert alert--error" role="alert">{failure}</p>}
            <div className="field">
              <label htmlFor="forgot-email">Email</label>
              <input id="forgot-email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} aria-invalid={fieldError ? true : undefined} aria-describedby={fieldError ? 'forgot-email-error' : undefined} />
              {fieldError && <p id="forgot-email-error" className="field-error">{fieldError}</p>}
            </div>
            <button type="submit" className="button button--large button--block" disabled={isBusy}>{isBusy ? 'Sending…' : 'Send reset link'}</button>
            <p className="auth__switch"><Link to="/login">Back to sign in</Link></p>
          </>
        )}
      </form>
    </div>
  );
}
