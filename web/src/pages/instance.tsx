import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, enc, type Instance, type LiveEvent } from '../api';
import { t } from '../i18n';
import { navigate } from '../router';
import { useInstanceEvents } from '../sse';
import { Confirm, ErrorBox, Link, Spinner, StatusBadge } from '../ui';
import { ChatsPanel } from './chats';
import { LinkPanel } from './link';
import { NotFoundPage } from './not-found';
import { WebhooksPanel } from './webhooks';

export type Tab = 'link' | 'chats' | 'webhooks';

/** Subscribers to the page's one live stream (chats and webhooks listen too). */
export type EventBus = Set<(e: LiveEvent) => void>;

export function InstancePage(props: { id: string; tab: Tab; jid?: string }) {
  const [instance, setInstance] = useState<Instance | null>(null);
  const [error, setError] = useState<unknown>(null);
  const bus = useRef<EventBus>(new Set()).current;

  const load = async () => {
    try {
      setInstance(await api<Instance>('GET', `/whatsapp/instances/${enc(props.id)}`));
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    setInstance(null);
    setError(null);
    void load();
  }, [props.id]);

  // The stream is opened only once the instance is known to be ours.
  useInstanceEvents(instance ? props.id : null, (e) => {
    if (e.event === 'connection.update') {
      const d = e.data as { status: Instance['status']; reason?: string; phone?: string | null; qrCode?: Instance['qrCode']; pairingCode?: Instance['pairingCode'] };
      setInstance((cur) =>
        cur
          ? {
              ...cur,
              status: d.status,
              statusReason: d.reason ?? null,
              phone: d.phone ?? (d.status === 'connected' ? cur.phone : null),
              qrCode: d.qrCode,
              pairingCode: d.pairingCode,
            }
          : cur,
      );
    }
    for (const listener of bus) listener(e);
  }, () => void load());

  if (error instanceof ApiError && (error.status === 404 || error.status === 400)) return <NotFoundPage message={error.message} />;
  if (error) return <ErrorBox error={error} />;
  if (!instance) {
    return (
      <p aria-busy="true">
        <Spinner /> {t('Loading…')}
      </p>
    );
  }
  const base = `/instances/${enc(instance.id)}`;
  const tabs: Array<[Tab, string, string]> = [
    ['link', t('Connection'), base],
    ['chats', t('Chats'), `${base}/chats`],
    ['webhooks', t('Webhooks'), `${base}/webhooks`],
  ];
  return (
    <section>
      <div class="row between wrap">
        <div>
          <p class="muted small">
            <Link href="/">{t('Instances')}</Link> /
          </p>
          <h1 class="instance-title">
            {instance.name} <StatusBadge status={instance.status} reason={instance.statusReason} />
          </h1>
          <p class="muted small">
            {instance.id}
            {instance.phone ? ` · ${instance.phone}` : ''}
          </p>
        </div>
        <InstanceActions instance={instance} onChanged={load} />
      </div>
      <nav class="tabs" aria-label={t('Instance sections')}>
        {tabs.map(([key, label, href]) => (
          <Link key={key} href={href} class="tab" aria-current={props.tab === key ? 'page' : undefined}>
            {label}
          </Link>
        ))}
      </nav>
      {props.tab === 'link' && <LinkPanel instance={instance} onChanged={load} />}
      {props.tab === 'chats' && <ChatsPanel instance={instance} jid={props.jid} bus={bus} />}
      {props.tab === 'webhooks' && <WebhooksPanel instance={instance} bus={bus} onChanged={load} />}
    </section>
  );
}

type Pending = null | 'restart' | 'disconnect' | 'delete';

function InstanceActions(props: { instance: Instance; onChanged: () => Promise<void> }) {
  const [pending, setPending] = useState<Pending>(null);
  const [error, setError] = useState<unknown>(null);
  const id = enc(props.instance.id);
  const dialogs = {
    restart: {
      title: t('Restart this instance?'),
      body: t('The connection to WhatsApp is closed and opened again with the saved credentials. Messages keep waiting in the queue; nothing is deleted.'),
      label: t('Restart'),
      run: () => api('POST', `/whatsapp/instances/${id}/restart`),
    },
    disconnect: {
      title: t('Disconnect this number?'),
      body: t('The number is logged out: the phone no longer lists this device and the credentials are wiped. Linking again needs a new QR scan. Chats and messages are kept.'),
      label: t('Disconnect'),
      run: () => api('POST', `/whatsapp/instances/${id}/disconnect`),
    },
    delete: {
      title: t('Delete this instance?'),
      body: t('The number is logged out and the instance is removed: all chats and messages of this number are removed, with its webhook log. This cannot be undone.'),
      label: t('Delete'),
      run: () => api('DELETE', `/whatsapp/instances/${id}`),
    },
  };
  const d = pending ? dialogs[pending] : null;
  return (
    <div class="row wrap actions">
      <button type="button" class="btn btn-secondary" onClick={() => setPending('restart')}>
        {t('Restart')}
      </button>
      <button type="button" class="btn btn-secondary" onClick={() => setPending('disconnect')}>
        {t('Disconnect')}
      </button>
      <button type="button" class="btn btn-danger" onClick={() => setPending('delete')}>
        {t('Delete')}
      </button>
      <ErrorBox error={error} />
      {d && (
        <Confirm
          title={d.title}
          body={d.body}
          confirmLabel={d.label}
          danger={pending !== 'restart'}
          onClose={() => setPending(null)}
          onConfirm={async () => {
            setError(null);
            await d.run();
            if (pending === 'delete') navigate('/');
            else await props.onChanged();
          }}
        />
      )}
    </div>
  );
}

