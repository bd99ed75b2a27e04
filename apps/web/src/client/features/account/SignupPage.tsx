import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';

import { useSession } from '../../app/session';
import { track } from '../../analytics';
import { NO_ERRORS, toFormErrors, type FormErrors } from '../../lib/form-errors';
import { AGE_BANDS, COUNTRIES, GENDERS, login, REGIONS, safeNext, signup } from './account-api';

const FIELDS = ['email', 'password', 'name', 'ageBand', 'gender', 'country', 'region', 'marketingConsent'] as const;
/** Shown before submitting; the API enforces the same minimum and answers with its own message. */
export const MIN_PASSWORD_LENGTH = 8;

function Field({ id, label, hint, error, children }: { id: string; label: ReactNode; hint?: string; error?: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && <p id={`${id}-hint`} className="hint">{hint}</p>}
      {error && <p id={`${id}-error`} className="field-error">{error}</p>}
    </div>
  );
}

export default function SignupPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const { refreshUser, refreshCart } = useSession();
  const [form, setForm] = useState({ email: '', password: '', name: '', ageBand: '', gender: '', country: '', region: '', marketingConsent: false });
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [isBusy, setIsBusy] = useState(false);

  function set<K extends keyof typeof form>(key: K, value: (typeof form)[K]) {
    setForm((current) => ({ ...current, [key]: value }));
  }

  function chooseCountry(code: string) {
    const region = COUNTRIES.find((c) => c.code === code)?.region;
    setForm((current) => ({ ...current, country: code, region: region ?? current.region }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const fields: Record<string, string> = {};
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email.trim())) fields.email = 'Enter an email address like name@example.com.';
    if (form.password.length < MIN_PASSWORD_LENGTH) fields.password = `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
    if (!form.name.trim()) fields.name = 'Tell us what to call you.';
    if (Object.keys(fields).length > 0) return setErrors({ fields });
    setIsBusy(true);
    try {
      await signup({
        email: form.email.trim(),
        password: form.password,
        name: form.name.trim(),
        ageBand: form.ageBand || undefined,
        gender: form.gender || undefined,
        country: form.country || undefined,
        region: form.region || undefined,
        marketingConsent: form.marketingConsent,
      });
      track('sign_up');
      // sign-up may or may not open a session; sign in if it did not
      if (!(await refreshUser())) {
        await login(form.email.trim(), form.password);
        await refreshUser();
      }
      await refreshCart();
      void navigate(safeNext(params.get('next')), { replace: true });
    } catch (error) {
      setErrors(toFormErrors(error, FIELDS));
    } finally {
      setIsBusy(false);
    }
  }

  const described = (id: string, hasHint = false) => {
    const ids = [hasHint ? `${id}-hint` : '', errors.fields[id.replace('signup-', '')] ? `${id}-error` : ''].filter(Boolean).join(' ');
    return ids || undefined;
  };

  return (
    <div className="page auth">
      <form className="card auth__card auth__card--wide" onSubmit={submit} noValidate>
        <h1>Create your account</h1>
        <p className="muted">Check out faster, follow your orders and review what you bought.</p>
        {errors.form && <p className="alert alert--error" role="alert">{errors.form}</p>}
        <Field id="signup-email" label="Email" error={errors.fields.email}>
          <input id="signup-email" type="email" autoComplete="email" value={form.email} onChange={(e) => set('email', e.target.value)} aria-invalid={errors.fields.email ? true : undefined} aria-describedby={described('signup-email')} />
        </Field>
        <Field id="signup-name" label="Name" error={errors.fields.name}>
          <input id="signup-name" autoComplete="name" maxLength={100} value={form.name} onChange={(e) => set('name', e.target.value)} aria-invalid={errors.fields.name ? true : undefined} aria-describedby={described('signup-name')} />
        </Field>
        <Field id="signup-password" label="Password" hint={`At least ${MIN_PASSWORD_LENGTH} characters. A short sentence works well.`} error={errors.fields.password}>
          <input id="signup-password" type="password" autoComplete="new-password" value={form.password} onChange={(e) => set('password', e.target.value)} aria-invalid={errors.fields.password ? true : undefined} aria-describedby={described('signup-password', true)} />
        </Field>

        <fieldset className="fieldset">
          <legend>About you <span className="muted">(optional)</span></legend>
          <p className="hint">Helps us choose which styles to stock. We never show it to anyone else.</p>
          <div className="field-row">
            <Field id="signup-age" label="Age" error={errors.fields.ageBand}>
              <select id="signup-age" value={form.ageBand} onChange={(e) => set('ageBand', e.target.value)}>
                <option value="">—</option>
                {AGE_BANDS.map((band) => <option key={band} value={band}>{band}</option>)}
              </select>
            </Field>
            <Field id="signup-gender" label="Gender" error={errors.fields.gender}>
              <select id="signup-gender" value={form.gender} onChange={(e) => set('gender', e.target.value)}>
                <option value="">—</option>
                {GENDERS.map((g) => <option key={g.value} value={g.value}>{g.label}</option>)}
              </select>
            </Field>
          </div>
          <div className="field-row">
            <Field id="signup-country" label="Country" error={errors.fields.country}>
              <select id="signup-country" value={form.country} onChange={(e) => chooseCountry(e.target.value)}>
                <option value="">—</option>
                {COUNTRIES.map((c) => <option key={c.code} value={c.code}>{c.name}</option>)}
              </select>
            </Field>
            <Field id="signup-region" label="Region" error={errors.fields.region}>
              <select id="signup-region" value={form.region} onChange={(e) => set('region', e.target.value)}>
                <option value="">—</option>
                {REGIONS.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
              </select>
            </Field>
          </div>
        </fieldset>

        <label className="checkbox">
          <input type="checkbox" checked={form.marketingConsent} onChange={(e) => set('marketingConsent', e.target.checked)} />
          <span>Send me news and offers by email. I can unsubscribe at any time.</span>
        </label>

        <button type="submit" className="button button--large button--block" disabled={isBusy}>{isBusy ? 'Creating account…' : 'Create account'}</button>
        <p className="auth__switch">Already have an account? <Link to={`/login${params.get('next') ? `?next=${encodeURIComponent(params.get('next') ?? '')}` : ''}`}>Sign in</Link></p>
      </form>
    </div>
  );
}
