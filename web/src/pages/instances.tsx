import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, PLAN_LIMITS, type Instance, type LiveEvent, type Me } from '../api';
import { formatTime, t } from '../i18n';
import { navigate } from '../router';
import { useAccountEvents } from '../sse';
import { ErrorBox, Field, Link, Spinner, StatusBadge } from '../ui';

/** What the live stream changed on a row since the list was read. */
interface LiveRow {
  status?: Instance['status'];
  phone?: string | null;
  last?: LiveEvent;
}

export function InstancesPage(props: { me: Me }) {
  const [items, setItems] = useState<Instance[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = () =>
    api<Instance[]>('GET', '/whatsapp/instances')
      .then((list) => {
        setItems(list);
        setError(null);
      })
      .catch(setError);
  useEffect(() => {
    void load();
  }, []);
  // One stream for every row; reopened when the set of instances changes, and the list re-read when it (re)opens.
  const [live, setLive] = useState<Record<string, LiveRow>>({});
  const ids = items ? items.map((i) => i.id).sort().join(',') : null;
  useAccountEvents(
    ids,
    (e) => {
      const id = e.instance?.instanceId;
      if (!id) return;
      setLive((cur) => {
        const row: LiveRow = { ...cur[id], last: e };
        if (e.event === 'connection.update') {
          const d = e.data as { status?: Instance['status']; phone?: string | null };
          if (d.status) row.status = d.status;
          if (d.phone) row.phone = d.phone;
        }
        return { ...cur, [id]: row };
      });
    },
    () =>
      void api<Instance[]>('GET', '/whatsapp/instances')
        .then((list) => {
          setItems(list);
          setLive((cur) => Object.fromEntries(Object.entries(cur).map(([k, v]) => [k, { last: v.last }])));
        })
        .catch(() => undefined),
  );

  const limit = PLAN_LIMITS[props.me.tenant.plan];
  const used = items?.length ?? 0;
  return (
    <section>
      <div class="row between wrap">
        <h1>{t('Instances')}</h1>
        <p class="usage" data-testid="plan-usage">
          {t('Plan {plan}: {used} of {limit} instances', { plan: props.me.tenant.plan, used, limit })}
        </p>
      </div>
      <CreateInstance atLimit={items !== null && used >= limit} limit={limit} plan={props.me.tenant.plan} />
      <ErrorBox error={error} />
      {items === null && !error && (
        <p aria-busy="true">
          <Spinner /> {t('Loading…')}
        </p>
      )}
      {items && items.length === 0 && <p class="muted">{t('No instances yet. Create one to link a WhatsApp number.')}</p>}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-testid="instances-table">
            <thead>
              <tr>
                <th scope="col">{t('Name')}</th>
                <th scope="col">{t('Status')}</th>
                <th scope="col">{t('Phone')}</th>
                <th scope="col">{t('Last event')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <InstanceRow key={i.id} instance={i} live={live[i.id]} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function InstanceRow(props: { instance: Instance; live: LiveRow | undefined }) {
  const i = props.instance;
  const status = props.live?.status ?? i.status;
  const phone = props.live?.phone ?? i.phone;
  const last = props.live?.last ?? null;
  return (
    <tr data-instance={i.id} data-status={status}>
      <td>
        <Link href={`/instances/${i.id}`}>{i.name}</Link>
      </td>
      <td>
        <StatusBadge status={status} />
      </td>
      <td>{phone ?? '—'}</td>
      <td class="small">{last ? `${last.event} · ${formatTime(last.timestamp)}` : '—'}</td>
    </tr>
  );
}

function CreateInstance(props: { atLimit: boolean; limit: number; plan: string }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [limitReached, setLimitReached] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setFieldError(undefined);
    try {
      const created = await api<{ instanceId: string }>('POST', '/whatsapp/instances', { name });
      navigate(`/instances/${created.instanceId}`);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'PLAN_LIMIT_REACHED') setLimitReached(true);
      else if (err instanceof ApiError && err.fieldErrors().name) setFieldError(err.fieldErrors().name);
      else setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card row wrap align-end" onSubmit={(e) => void submit(e)} noValidate>
      <Field label={t('New instance name')} error={fieldError}>
        {(id, describedBy) => (
          <input id={id} name="name" value={name} aria-describedby={describedBy} aria-invalid={fieldError ? true : undefined} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} placeholder={t('e.g. Sales team')} />
        )}
      </Field>
      <button class="btn" type="submit" disabled={busy} aria-busy={busy}>
        {busy && <Spinner />}
        {t('Create instance')}
      </button>
      {(limitReached || props.atLimit) && (
        <p class="alert alert-warn" role="status" data-testid="plan-limit">
          {t('Your plan ({plan}) allows {limit} instance(s). Delete one or ask for a larger plan to add more.', { plan: props.plan, limit: props.limit })}
        </p>
      )}
      <ErrorBox error={error} />
    </form>
  );
}
