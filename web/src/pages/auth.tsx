import { useState } from 'preact/hooks';
import { api, ApiError, type Me } from '../api';
import { t } from '../i18n';
import { navigate } from '../router';
import { setMe } from '../session';
import { ErrorBox, Field, Link, Spinner } from '../ui';

export function AuthPage(props: { mode: 'login' | 'signup' }) {
  const signup = props.mode === 'signup';
  const [values, setValues] = useState({ email: '', password: '', tenantName: '' });
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const body = signup ? values : { email: values.email, password: values.password };
      await api('POST', signup ? '/auth/signup' : '/auth/sessions', body);
      setMe(await api<Me>('GET', '/auth/me'));
      navigate('/');
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      setFieldErrors(fields);
      if (Object.keys(fields).length === 0) setError(err);
    } finally {
      setBusy(false);
    }
  };

  const input = (name: keyof typeof values, label: string, type: 'text' | 'email' | 'password', autocomplete: string) => (
    <Field label={label} error={fieldErrors[name]}>
      {(id, describedBy) => (
        <input
          id={id}
          name={name}
          type={type as 'text'}
          autocomplete={autocomplete}
          required
          value={values[name]}
          aria-invalid={fieldErrors[name] ? true : undefined}
          aria-describedby={describedBy}
          onInput={(e) => setValues({ ...values, [name]: (e.currentTarget as HTMLInputElement).value })}
        />
      )}
    </Field>
  );

  return (
    <section class="card narrow">
      <h1>{signup ? t('Create your account') : t('Log in')}</h1>
      <form onSubmit={(e) => void submit(e)} noValidate>
        {signup && input('tenantName', t('Company name'), 'text', 'organization')}
        {input('email', t('Email'), 'email', 'email')}
        {input('password', t('Password'), 'password', signup ? 'new-password' : 'current-password')}
        <ErrorBox error={error} />
        <button class="btn" type="submit" disabled={busy} aria-busy={busy}>
          {busy && <Spinner />}
          {signup ? t('Sign up') : t('Log in')}
        </button>
      </form>
      <p>
        {signup ? (
          <>
            {t('Already have an account?')} <Link href="/login">{t('Log in')}</Link>
          </>
        ) : (
          <>
            {t('New here?')} <Link href="/signup">{t('Create an account')}</Link>
          </>
        )}
      </p>
    </section>
  );
}
