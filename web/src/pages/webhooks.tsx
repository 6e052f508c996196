import { useEffect, useRef, useState } from 'preact/hooks';
import { api, apiRaw, ApiError, enc, WEBHOOK_EVENTS, type Delivery, type DeliveryAttempt, type DeliveryDetail, type Instance } from '../api';
import { formatTime, t } from '../i18n';
import { ActionButton, ErrorBox, Field, Spinner } from '../ui';
import type { EventBus } from './instance';

export function WebhooksPanel(props: { instance: Instance; bus: EventBus; onChanged: () => Promise<void> }) {
  return (
    <div class="stack">
      <WebhookSettings instance={props.instance} onChanged={props.onChanged} />
      <TestEvent instance={props.instance} />
      <DeliveryLog instance={props.instance} bus={props.bus} />
    </div>
  );
}

function WebhookSettings(props: { instance: Instance; onChanged: () => Promise<void> }) {
  const i = props.instance;
  const [url, setUrl] = useState(i.webhookUrl ?? '');
  const [all, setAll] = useState(i.webhookEvents === null || i.webhookEvents === undefined);
  const [events, setEvents] = useState<string[]>(i.webhookEvents ?? [...WEBHOOK_EVENTS]);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);

  const save = async () => {
    setError(null);
    setFieldErrors({});
    setSaved(false);
    try {
      await api('PUT', `/whatsapp/instances/${enc(i.id)}`, { webhookUrl: url.trim() || null, webhookEvents: all ? null : events });
      setSaved(true);
      await props.onChanged();
    } catch (err) {
      const fields = err instanceof ApiError ? err.fieldErrors() : {};
      if (Object.keys(fields).length) setFieldErrors(fields);
      else setError(err);
    }
  };
  return (
    <form class="card" onSubmit={(e) => e.preventDefault()}>
      <h2>{t('Webhook')}</h2>
      <Field label={t('Webhook URL')} error={fieldErrors.webhookUrl}>
        {(id, describedBy) => (
          <input id={id} type="url" name="webhookUrl" value={url} placeholder="https://example.com/hook" aria-describedby={describedBy} aria-invalid={fieldErrors.webhookUrl ? true : undefined} onInput={(e) => setUrl((e.currentTarget as HTMLInputElement).value)} />
        )}
      </Field>
      <fieldset class="events">
        <legend>{t('Events')}</legend>
        <label class="check">
          <input type="checkbox" checked={all} onChange={(e) => setAll((e.currentTarget as HTMLInputElement).checked)} /> {t('All events')}
        </label>
        {!all &&
          WEBHOOK_EVENTS.map((ev) => (
            <label class="check" key={ev}>
              <input
                type="checkbox"
                checked={events.includes(ev)}
                onChange={(e) => setEvents((cur) => ((e.currentTarget as HTMLInputElement).checked ? [...cur, ev] : cur.filter((x) => x !== ev)))}
              />{' '}
              <code>{ev}</code>
            </label>
          ))}
        {fieldErrors.webhookEvents && <small class="field-error">{fieldErrors.webhookEvents}</small>}
      </fieldset>
      <ErrorBox error={error} />
      <div class="row wrap">
        <ActionButton type="submit" onAction={save}>
          {t('Save webhook')}
        </ActionButton>
        {saved && <span role="status">{t('Saved.')}</span>}
      </div>
      <h3>{t('Signing secret')}</h3>
      <p class="muted small">{t('Every request is signed with it (X-Webhook-Signature). Rotating it stops the old one at once.')}</p>
      {secret && (
        <div class="secret" role="status">
          <p>{t('Copy it now: it is shown only this once.')}</p>
          <code data-testid="webhook-secret">{secret}</code> <CopyButton value={secret} />
        </div>
      )}
      <ActionButton
        class="btn btn-secondary"
        onAction={async () => {
          setError(null);
          setSecret((await api<{ webhookSecret: string }>('POST', `/whatsapp/instances/${enc(i.id)}/webhook-secret/rotate`)).webhookSecret);
        }}
        onError={setError}
      >
        {t('Rotate secret')}
      </ActionButton>
    </form>
  );
}

export function CopyButton(props: { value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class="btn btn-secondary btn-small"
      onClick={() => {
        void navigator.clipboard
          ?.writeText(props.value)
          .then(() => setCopied(true))
          .catch(() => setCopied(false));
      }}
    >
      {copied ? t('Copied') : t('Copy')}
    </button>
  );
}

interface TestResult {
  url: string;
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseBody: string | null;
}

function TestEvent(props: { instance: Instance }) {
  const [result, setResult] = useState<TestResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  return (
    <div class="card">
      <h2>{t('Send a test event')}</h2>
      <ActionButton
        class="btn btn-secondary"
        data-testid="send-test"
        onAction={async () => {
          setError(null);
          setResult(null);
          setResult(await api<TestResult>('POST', `/whatsapp/instances/${enc(props.instance.id)}/webhook/test`));
        }}
        onError={setError}
      >
        {t('Send test event')}
      </ActionButton>
      <ErrorBox error={error} />
      {result && (
        <div class={`alert ${result.ok ? 'alert-ok' : 'alert-error'}`} role="status" data-testid="test-result">
          <p>
            <strong>{result.ok ? t('The receiver answered OK') : t('The receiver did not accept it')}</strong> · HTTP {result.statusCode ?? '—'} · {result.durationMs} ms
          </p>
          {result.error && <p>{result.error}</p>}
          {result.responseBody && <pre class="body">{result.responseBody}</pre>}
        </div>
      )}
    </div>
  );
}

const STATUSES = ['pending', 'delivering', 'succeeded', 'failed'];

function DeliveryLog(props: { instance: Instance; bus: EventBus }) {
  const [status, setStatus] = useState('');
  const [event, setEvent] = useState('');
  const [page, setPage] = useState(1);
  const [data, setData] = useState<{ data: Delivery[]; pagination: { page: number; pageSize: number; total: number } } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const id = enc(props.instance.id);
  const load = async () => {
    setLoading(true);
    const q = new URLSearchParams({ page: String(page), pageSize: '20' });
    if (status) q.set('status', status);
    if (event) q.set('event', event);
    try {
      setData(await apiRaw('GET', `/whatsapp/instances/${id}/webhook-deliveries?${q}`));
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load();
  }, [status, event, page, props.instance.id]);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    const l = () => {
      if (pending.current) return;
      pending.current = setTimeout(() => {
        pending.current = null;
        void load();
      }, 1000);
    };
    props.bus.add(l);
    return () => {
      props.bus.delete(l);
      if (pending.current) clearTimeout(pending.current);
    };
  });

  const total = data?.pagination.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / 20));
  return (
    <div class="card">
      <div class="row between wrap">
        <h2>{t('Delivery log')}</h2>
        <ActionButton class="btn btn-secondary btn-small" onAction={load} data-testid="refresh-log">
          {t('Refresh')}
        </ActionButton>
      </div>
      <div class="row wrap filters">
        <Field label={t('Status')}>
          {(fid) => (
            <select id={fid} value={status} onChange={(e) => { setPage(1); setStatus((e.currentTarget as HTMLSelectElement).value); }} data-testid="filter-status">
              <option value="">{t('All')}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(s)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('Event')}>
          {(fid) => (
            <select id={fid} value={event} onChange={(e) => { setPage(1); setEvent((e.currentTarget as HTMLSelectElement).value); }}>
              <option value="">{t('All')}</option>
              {[...WEBHOOK_EVENTS, 'webhook.test'].map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
        {loading && <Spinner />}
      </div>
      <ErrorBox error={error} />
      {data && data.data.length === 0 && <p class="muted">{t('No deliveries match.')}</p>}
      {data && data.data.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-testid="deliveries">
            <thead>
              <tr>
                <th scope="col">{t('Event')}</th>
                <th scope="col">{t('Status')}</th>
                <th scope="col">{t('Attempts')}</th>
                <th scope="col">{t('Response')}</th>
                <th scope="col">{t('Created')}</th>
                <th scope="col">
                  <span class="sr-only">{t('Actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((d) => (
                <DeliveryRow key={d.id} d={d} instanceId={props.instance.id} open={open === d.id} onToggle={() => setOpen(open === d.id ? null : d.id)} onChanged={load} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 && (
        <div class="row pager">
          <button type="button" class="btn btn-secondary btn-small" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            ← {t('Previous')}
          </button>
          <span>{t('Page {page} of {pages}', { page, pages })}</span>
          <button type="button" class="btn btn-secondary btn-small" disabled={page >= pages} onClick={() => setPage(page + 1)}>
            {t('Next')} →
          </button>
        </div>
      )}
    </div>
  );
}

function DeliveryRow(props: { d: Delivery; instanceId: string; open: boolean; onToggle: () => void; onChanged: () => Promise<void> }) {
  const d = props.d;
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <tr data-delivery={d.id} data-status={d.status}>
        <td>
          <button type="button" class="link-btn" aria-expanded={props.open} onClick={props.onToggle}>
            <code class="nowrap">{d.event}</code>
          </button>
        </td>
        <td>
          <span class={`badge badge-${d.status}`}>{t(d.status)}</span>
        </td>
        <td>{d.attempts}</td>
        <td>{d.lastStatusCode ?? (d.lastError ? t('error') : '—')}</td>
        <td class="small">{formatTime(d.createdAt)}</td>
        <td>
          {(d.status === 'failed' || d.status === 'succeeded') && (
            <ActionButton
              class="btn btn-secondary btn-small"
              onAction={async () => {
                setError(null);
                await api('POST', `/whatsapp/instances/${enc(props.instanceId)}/webhook-deliveries/${enc(d.id)}/redeliver`);
                await props.onChanged();
              }}
              onError={setError}
            >
              {t('Redeliver')}
            </ActionButton>
          )}
          <ErrorBox error={error} />
        </td>
      </tr>
      {props.open && (
        <tr class="detail-row">
          <td colSpan={6}>
            <dl class="detail">
              <dt>{t('Event id')}</dt>
              <dd>
                <code>{d.eventId}</code>
              </dd>
              <dt>URL</dt>
              <dd>{d.url}</dd>
              <dt>{t('Attempts')}</dt>
              <dd>{d.attempts}</dd>
              <dt>{t('Last attempt')}</dt>
              <dd>{formatTime(d.lastAttemptAt)}</dd>
              <dt>{t('Last response code')}</dt>
              <dd>{d.lastStatusCode ?? '—'}</dd>
              <dt>{t('Last error')}</dt>
              <dd>{d.lastError ?? '—'}</dd>
              <dt>{t('Next attempt')}</dt>
              <dd>{formatTime(d.nextAttemptAt)}</dd>
              <dt>{t('Delivered')}</dt>
              <dd>{formatTime(d.deliveredAt)}</dd>
            </dl>
            <AttemptHistory instanceId={props.instanceId} delivery={d} />
          </td>
        </tr>
      )}
    </>
  );
}

/** Every attempt of an open delivery, read when the row opens and again when the row changes (a new attempt). */
function AttemptHistory(props: { instanceId: string; delivery: Delivery }) {
  const d = props.delivery;
  const [attempts, setAttempts] = useState<DeliveryAttempt[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let current = true;
    api<DeliveryDetail>('GET', `/whatsapp/instances/${enc(props.instanceId)}/webhook-deliveries/${enc(d.id)}`)
      .then((detail) => current && (setAttempts(detail.attemptHistory), setError(null)))
      .catch((err: unknown) => current && setError(err));
    return () => {
      current = false;
    };
  }, [props.instanceId, d.id, d.attempts, d.status]);
  if (error) return <ErrorBox error={error} />;
  if (attempts === null)
    return (
      <p aria-busy="true">
        <Spinner /> {t('Loading…')}
      </p>
    );
  if (attempts.length === 0) return <p class="muted small">{t('No attempts yet.')}</p>;
  return (
    <div class="table-wrap">
      <table class="table small" data-testid="attempt-history">
        <caption>{t('Attempt history')}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('When')}</th>
            <th scope="col">{t('Response code')}</th>
            <th scope="col">{t('Time')}</th>
            <th scope="col">{t('Error / answer')}</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((a, n) => (
            <tr key={`${a.at}-${n}`} data-attempt-code={a.statusCode ?? ''}>
              <td>{n + 1}</td>
              <td class="nowrap">{formatTime(a.at)}</td>
              <td>{a.statusCode ?? '—'}</td>
              <td class="nowrap">{a.durationMs === null ? '—' : `${a.durationMs} ms`}</td>
              <td>
                {a.error ?? (a.statusCode !== null ? t('delivered') : '—')}
                {a.responseBody && <pre class="response-body">{a.responseBody}</pre>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
