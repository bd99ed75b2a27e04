import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';

import { useSession } from '../../app/session';
import { track } from '../../analytics';
import { NO_ERRORS, toFormErrors, type FormErrors } from '../../lib/form-errors';
import { login, safeNext } from './account-api';

export default function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const { refreshUser, refreshCart } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [isBusy, setIsBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const fields: Record<string, string> = {};
    if (!email.trim()) fields.email = 'Enter your email address.';
    if (!password) fields.password = 'Enter your password.';
    if (Object.keys(fields).length > 0) return setErrors({ fields });
    setIsBusy(true);
    try {
      await login(email.trim(), password);
      track('login');
      await Promise.all([refreshUser(), refreshCart()]);
      void navigate(safeNext(params.get('next')), { replace: true });
    } catch (error) {
      setErrors(toFormErrors(error, ['email', 'password']));
    } finally {
      setIsBusy(false);
    }
  }

  return (
    <div className="page auth">
      <form className="card auth__card" onSubmit={submit} noValidate>
        <h1>Sign in</h1>
        <p className="muted">Welcome back. Sign in to check out and see your orders.</p>
        {errors.form && <p className="alert alert--error" role="alert">{errors.form}</p>}
        <div className="field">
          <label htmlFor="login-email">Email</label>
          <input id="login-email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} aria-invalid={errors.fields.email ? true : undefined} aria-describedby={errors.fields.email ? 'login-email-error' : undefined} />
          {errors.fields.email && <p id="login-email-error" className="field-error">{errors.fields.email}</p>}
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input id="login-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} aria-invalid={errors.fields.password ? true : undefined} aria-describedby={errors.fields.password ? 'login-password-error' : undefined} />
          {errors.fields.password && <p id="login-password-error" className="field-error">{errors.fields.password}</p>}
          <p className="small"><Link to="/forgot-password">Forgot password?</Link></p>
        </div>
        <button type="submit" className="button button--large button--block" disabled={isBusy}>{isBusy ? 'Signing in…' : 'Sign in'}</button>
        {params.get('next') === '/checkout' && <p className="auth__switch"><Link to="/checkout?guest=1">Continue as a guest</Link></p>}
        <p className="auth__switch">New to Threadline? <Link to={`/signup${params.get('next') ? `?next=${encodeURIComponent(params.get('next') ?? '')}` : ''}`}>Create an account</Link></p>
      </form>
    </div>
  );
}
