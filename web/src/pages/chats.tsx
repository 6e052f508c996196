import { useEffect, useRef, useState } from 'preact/hooks';
import { api, enc, type Chat, type Instance, type LiveEvent, type Message, type Page } from '../api';
import { formatTime, t } from '../i18n';
import { ErrorBox, Icon, Link, Spinner, Ticks } from '../ui';
import type { EventBus } from './instance';

/** Calls `fn` at most once per `ms` while events keep coming (live refreshes, not polling). */
function useThrottled(fn: () => void, ms: number): () => void {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  return () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      latest.current();
    }, ms);
  };
}

function useBus(bus: EventBus, fn: (e: LiveEvent) => void): void {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    const l = (e: LiveEvent) => latest.current(e);
    bus.add(l);
    return () => {
      bus.delete(l);
    };
  }, [bus]);
}

function jidOf(e: LiveEvent): string | null {
  const d = e.data as { key?: { remoteJid?: string }; remoteJid?: string; chatJid?: string };
  return d.key?.remoteJid ?? d.remoteJid ?? d.chatJid ?? null;
}

interface Contact {
  jid: string;
  name: string | null;
  pushName: string | null;
  verifiedName: string | null;
}

function chatName(c: Chat | undefined, names: Map<string, string>, fallback = ''): string {
  if (!c) return names.get(fallback) ?? fallback;
  return c.name ?? names.get(c.jid) ?? c.phone ?? c.jid;
}

export function ChatsPanel(props: { instance: Instance; jid?: string | undefined; bus: EventBus }) {
  const [chats, setChats] = useState<Chat[] | null>(null);
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const [error, setError] = useState<unknown>(null);
  const [search, setSearch] = useState('');
  const id = enc(props.instance.id);
  const load = () =>
    api<Page<Chat>>('GET', `/whatsapp/instances/${id}/chats?pageSize=100`)
      .then((p) => {
        setChats(p.items);
        setError(null);
      })
      .catch(setError);
  const loadNames = () =>
    api<Page<Contact>>('GET', `/whatsapp/instances/${id}/contacts?pageSize=100`)
      .then((p) => setNames(new Map(p.items.flatMap((c) => { const n = c.name ?? c.verifiedName ?? c.pushName; return n ? [[c.jid, n] as [string, string]] : []; }))))
      .catch(() => undefined);
  const reload = useThrottled(() => void load(), 300);
  const reloadNames = useThrottled(() => void loadNames(), 1000);
  useEffect(() => {
    void load();
    void loadNames();
  }, [props.instance.id]);
  useBus(props.bus, (e) => {
    if (e.event.startsWith('messages.') || e.event === 'groups.upsert' || e.event === 'groups.update') reload();
    if (e.event === 'contacts.update') reloadNames();
  });

  const q = search.trim().toLowerCase();
  const shown = (chats ?? []).filter((c) => !q || `${chatName(c, names)} ${c.phone ?? ''} ${c.jid}`.toLowerCase().includes(q));
  return (
    <div class={`chats${props.jid ? ' has-open' : ''}`}>
      <aside class="chat-list card" aria-label={t('Chats')}>
        <label class="sr-only" for="chat-search">
          {t('Search chats')}
        </label>
        <input id="chat-search" type="search" placeholder={t('Search chats')} value={search} onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)} />
        <ErrorBox error={error} />
        {chats === null && !error && (
          <p aria-busy="true">
            <Spinner /> {t('Loading…')}
          </p>
        )}
        {chats && shown.length === 0 && <p class="muted">{t('No chats yet.')}</p>}
        <ul class="chat-items">
          {shown.map((c) => (
            <li key={c.jid}>
              <Link href={`/instances/${id}/chats/${enc(c.jid)}`} class="chat-item" aria-current={props.jid === c.jid ? 'page' : undefined}>
                <span class="chat-name">
                  {c.isGroup && (
                    <span class="group-mark" title={t('Group')}>
                      <Icon name="group" />
                      <span class="sr-only">{t('Group')}: </span>
                    </span>
                  )}
                  {chatName(c, names)}
                </span>
                <span class="chat-meta">
                  <span class="muted small">{c.lastMessageTime ? formatTime(c.lastMessageTime) : ''}</span>
                  {c.unreadCount > 0 && (
                    <span class="unread" aria-label={t('{n} unread', { n: c.unreadCount })}>
                      {c.unreadCount}
                    </span>
                  )}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      </aside>
      {props.jid ? (
        <Conversation instance={props.instance} jid={props.jid} bus={props.bus} title={chatName(chats?.find((c) => c.jid === props.jid), names, props.jid)} onRead={() => void load()} />
      ) : (
        <div class="card conversation-empty muted">{t('Pick a chat to read it.')}</div>
      )}
    </div>
  );
}

function Conversation(props: { instance: Instance; jid: string; bus: EventBus; title: string; onRead: () => void }) {
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const bottom = useRef<HTMLDivElement>(null);
  // WhatsApp timestamps are whole seconds: within one second, keep the order in which this screen first saw them.
  const seen = useRef(new Map<string, number>());
  const id = enc(props.instance.id);
  const load = () =>
    api<Page<Message>>('GET', `/whatsapp/instances/${id}/chats/${enc(props.jid)}/messages?pageSize=50`)
      .then((p) => {
        const list = [...p.items].reverse();
        for (const m of list) if (!seen.current.has(m.id)) seen.current.set(m.id, seen.current.size);
        const second = (m: Message) => Math.floor(Date.parse(m.timestamp ?? '') / 1000) || 0;
        list.sort((a, b) => second(a) - second(b) || (seen.current.get(a.id) ?? 0) - (seen.current.get(b.id) ?? 0));
        setMessages(list);
        setError(null);
      })
      .catch(setError);
  const markRead = () => {
    if (props.instance.status !== 'connected') return;
    api('POST', `/whatsapp/instances/${id}/chats/${enc(props.jid)}/read`).then(props.onRead, () => undefined);
  };
  const reload = useThrottled(() => void load(), 200);
  const reloadAndRead = useThrottled(markRead, 500);
  useEffect(() => {
    seen.current = new Map();
    pendingChecks.current = 0;
    setMessages(null);
    void load();
    markRead();
  }, [props.instance.id, props.jid]);
  useEffect(() => bottom.current?.scrollIntoView({ block: 'end' }), [messages?.length]);
  // No event says when an inbound file finished downloading: while one is pending, read the page again now and
  // then (at most 30 times per chat opening).
  const pendingChecks = useRef(0);
  useEffect(() => {
    if (!messages?.some((m) => m.media?.status === 'pending') || pendingChecks.current >= 30) return;
    const timer = setTimeout(() => {
      pendingChecks.current++;
      void load();
    }, 1000);
    return () => clearTimeout(timer);
  }, [messages]);
  useBus(props.bus, (e) => {
    if (!e.event.startsWith('messages.')) return;
    const jid = jidOf(e);
    if (jid === null || jid === props.jid || jid.split('@')[0] === props.jid.split('@')[0]) {
      reload();
      const fromMe = (e.data as { key?: { fromMe?: boolean } }).key?.fromMe;
      if (e.event === 'messages.upsert' && fromMe === false) reloadAndRead();
    }
  });

  return (
    <section class="conversation card" aria-label={t('Conversation')}>
      <header class="conversation-head">
        <Link href={`/instances/${id}/chats`} class="back-link">
          ← {t('Chats')}
        </Link>
        <h2>{props.title}</h2>
      </header>
      <ErrorBox error={error} />
      <div class="messages" data-testid="messages" aria-live="polite">
        {messages === null && !error && (
          <p aria-busy="true">
            <Spinner /> {t('Loading…')}
          </p>
        )}
        {messages?.map((m) => <Bubble key={m.id} instanceId={props.instance.id} m={m} />)}
        <div ref={bottom} />
      </div>
      <Composer instanceId={props.instance.id} jid={props.jid} onSent={reload} />
    </section>
  );
}

function Bubble(props: { instanceId: string; m: Message }) {
  const m = props.m;
  const src = `/whatsapp/instances/${enc(props.instanceId)}/messages/${enc(m.id)}/media`;
  const mime = m.media?.mimetype ?? '';
  let media = null;
  if (m.media && m.media.status === 'stored') {
    if (mime.startsWith('image/')) media = <img class="media" src={src} alt={m.caption ?? m.media.fileName ?? t('Image')} loading="lazy" />;
    else if (mime.startsWith('video/')) media = <video class="media" src={src} controls preload="metadata" />;
    else if (mime.startsWith('audio/')) media = <audio src={src} controls preload="metadata" />;
    else
      media = (
        <a href={src} download={m.media.fileName ?? 'file'}>
          <Icon name="file" /> {m.media.fileName ?? t('Download file')}
        </a>
      );
  } else if (m.media) {
    media = <span class="muted small">{m.media.status === 'failed' ? t('Media could not be downloaded') : t('Media loading…')}</span>;
  }
  return (
    <div class={`bubble ${m.fromMe ? 'out' : 'in'}`} data-message={m.id} data-from-me={m.fromMe ? 'true' : 'false'}>
      {!m.fromMe && m.pushName && <div class="sender small">{m.pushName}</div>}
      {media}
      {(m.text ?? m.caption) && <div class="text">{m.text ?? m.caption}</div>}
      {!m.text && !m.caption && !m.media && <div class="text muted">[{m.type}]</div>}
      <div class="bubble-meta small">
        <span>{formatTime(m.timestamp)}</span>
        {m.fromMe && <Ticks status={m.status} />}
      </div>
      {m.error && <div class="field-error small">{m.error}</div>}
    </div>
  );
}

function mediaTypeOf(file: File): 'image' | 'video' | 'audio' | 'document' {
  if (file.type.startsWith('image/')) return 'image';
  if (file.type.startsWith('video/')) return 'video';
  if (file.type.startsWith('audio/')) return 'audio';
  return 'document';
}

function Composer(props: { instanceId: string; jid: string; onSent: () => void }) {
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const id = enc(props.instanceId);
  const send = async (e: Event) => {
    e.preventDefault();
    if (!text.trim() && !file) return;
    setBusy(true);
    setError(null);
    try {
      if (file) {
        const form = new FormData();
        form.append('to', props.jid);
        form.append('mediaType', mediaTypeOf(file));
        if (text.trim()) form.append('caption', text);
        form.append('fileName', file.name);
        form.append('file', file);
        await api('POST', `/whatsapp/instances/${id}/send-media`, form);
      } else {
        await api('POST', `/whatsapp/instances/${id}/send-text`, { to: props.jid, message: text });
      }
      setText('');
      setFile(null);
      if (fileInput.current) fileInput.current.value = '';
      props.onSent();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="composer" onSubmit={(e) => void send(e)}>
      <ErrorBox error={error} />
      <div class="row">
        <label class="btn btn-secondary file-btn" title={t('Attach a file')}>
          <Icon name="clip" />
          <span class="sr-only">{t('Attach a file')}</span>
          <input ref={fileInput} type="file" class="sr-only" onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} />
        </label>
        <label class="sr-only" for="composer-text">
          {t('Message')}
        </label>
        <input id="composer-text" class="grow" value={text} placeholder={file ? t('Caption (optional)') : t('Type a message')} onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)} autocomplete="off" />
        <button class="btn" type="submit" disabled={busy || (!text.trim() && !file)} aria-busy={busy}>
          {busy && <Spinner />}
          {t('Send')}
        </button>
      </div>
      {file && (
        <p class="small muted">
          {file.name}{' '}
          <button
            type="button"
            class="link-btn"
            onClick={() => {
              setFile(null);
              if (fileInput.current) fileInput.current.value = '';
            }}
          >
            {t('Remove')}
          </button>
        </p>
      )}
    </form>
  );
}
