import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, enc, type ApiKey } from '../api';
import { formatTime, t } from '../i18n';
import { ActionButton, Confirm, ErrorBox, Field, Spinner } from '../ui';
import { CopyButton } from './webhooks';

export function ApiKeysPage() {
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [created, setCreated] = useState<ApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const load = () =>
    api<ApiKey[]>('GET', '/auth/api-keys')
      .then(setKeys)
      .catch(setError);
  useEffect(() => {
    void load();
  }, []);
  return (
    <section>
      <h1>{t('API keys')}</h1>
      <p class="muted">
        {t('Server-to-server clients send a key as Authorization: Bearer <key> or X-Api-Key.')}{' '}
        <a href="/docs" target="_blank" rel="noopener">
          {t('API docs')}
        </a>
      </p>
      <form class="card row wrap align-end" onSubmit={(e) => e.preventDefault()}>
        <Field label={t('Key name')} error={fieldError}>
          {(id, describedBy) => <input id={id} name="name" value={name} aria-describedby={describedBy} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} placeholder={t('e.g. CRM integration')} />}
        </Field>
        <ActionButton
          type="submit"
          onAction={async () => {
            setError(null);
            setFieldError(undefined);
            try {
              setCreated(await api<ApiKey>('POST', '/auth/api-keys', { name }));
              setName('');
              await load();
            } catch (err) {
              if (err instanceof ApiError && err.fieldErrors().name) setFieldError(err.fieldErrors().name);
              else setError(err);
            }
          }}
        >
          {t('Create key')}
        </ActionButton>
      </form>
      {created?.key && (
        <div class="card secret" role="status">
          <p>{t('Copy it now: it is shown only this once.')}</p>
          <code data-testid="new-api-key">{created.key}</code> <CopyButton value={created.key} />
        </div>
      )}
      <ErrorBox error={error} />
      {keys === null && !error && (
        <p aria-busy="true">
          <Spinner /> {t('Loading…')}
        </p>
      )}
      {keys && keys.length === 0 && <p class="muted">{t('No API keys yet.')}</p>}
      {keys && keys.length > 0 && (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t('Name')}</th>
                <th scope="col">{t('Starts with')}</th>
                <th scope="col">{t('Created')}</th>
                <th scope="col">{t('Last used')}</th>
                <th scope="col">
                  <span class="sr-only">{t('Actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td class="small">{formatTime(k.createdAt)}</td>
                  <td class="small">{formatTime(k.lastUsedAt)}</td>
                  <td>
                    <button type="button" class="btn btn-danger btn-small" onClick={() => setRevoking(k)}>
                      {t('Revoke')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoking && (
        <Confirm
          title={t('Revoke this key?')}
          body={t('Clients using "{name}" get 401 from now on. This cannot be undone.', { name: revoking.name })}
          confirmLabel={t('Revoke')}
          danger
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await api('DELETE', `/auth/api-keys/${enc(revoking.id)}`);
            await load();
          }}
        />
      )}
    </section>
  );
}
