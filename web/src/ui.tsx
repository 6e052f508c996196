import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';
import { t } from './i18n';
import { onLinkClick } from './router';

export function Link(props: { href: string; class?: string; children: ComponentChildren; 'aria-current'?: 'page' | undefined }) {
  return (
    <a href={props.href} class={props.class} onClick={onLinkClick} aria-current={props['aria-current']}>
      {props.children}
    </a>
  );
}

export function Spinner() {
  return <span class="spinner" aria-hidden="true" />;
}

/** A button that runs an async action and shows progress (spinner, disabled, aria-busy) until it settles. */
export function ActionButton(props: {
  onAction: () => Promise<unknown>;
  children: ComponentChildren;
  class?: string;
  disabled?: boolean;
  type?: 'button' | 'submit';
  onError?: (err: unknown) => void;
  'data-testid'?: string;
}) {
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      await props.onAction();
    } catch (err) {
      props.onError?.(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type={props.type ?? 'button'} class={props.class ?? 'btn'} disabled={busy || props.disabled} aria-busy={busy} onClick={() => void run()} data-testid={props['data-testid']}>
      {busy && <Spinner />}
      {props.children}
    </button>
  );
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message || err.code;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function ErrorBox(props: { error: unknown }) {
  if (props.error === null || props.error === undefined) return null;
  return (
    <div class="alert alert-error" role="alert">
      {errorMessage(props.error)}
      {props.error instanceof ApiError && props.error.code && <span class="muted"> ({props.error.code})</span>}
    </div>
  );
}

export function Field(props: { label: string; error?: string | undefined; children: (id: string, describedBy: string | undefined) => JSX.Element; hint?: string }) {
  const id = useRef(`f${Math.random().toString(36).slice(2, 9)}`).current;
  const errId = props.error ? `${id}-err` : undefined;
  return (
    <div class={`field${props.error ? ' field-invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.children(id, errId)}
      {props.hint && <small class="muted">{props.hint}</small>}
      {props.error && (
        <small id={errId} class="field-error" role="alert">
          {props.label}: {props.error}
        </small>
      )}
    </div>
  );
}

/** A modal confirmation (native <dialog>: focus trap and Escape for free) that says what the action does. */
export function Confirm(props: {
  title: string;
  body: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} class="dialog" onClose={props.onClose} aria-labelledby="confirm-title">
      <h2 id="confirm-title">{props.title}</h2>
      <p>{props.body}</p>
      <ErrorBox error={error} />
      <div class="row end">
        <button type="button" class="btn btn-secondary" onClick={() => ref.current?.close()}>
          {t('Cancel')}
        </button>
        <ActionButton
          class={props.danger ? 'btn btn-danger' : 'btn'}
          onAction={async () => {
            setError(null);
            await props.onConfirm();
            ref.current?.close();
          }}
          onError={setError}
        >
          {props.confirmLabel}
        </ActionButton>
      </div>
    </dialog>
  );
}

const STATUS_LABELS: Record<string, string> = {
  created: 'created',
  qr: 'waiting for QR scan',
  connected: 'connected',
  disconnected: 'disconnected',
  banned: 'banned',
};

export function StatusBadge(props: { status: string; reason?: string | null | undefined }) {
  return (
    <span class={`badge badge-${props.status}`} data-status={props.status}>
      {t(STATUS_LABELS[props.status] ?? props.status)}
      {props.reason && props.reason !== props.status && props.status !== 'qr' && props.status !== 'connected' ? ` · ${t(props.reason)}` : ''}
    </span>
  );
}

/** WhatsApp-style ticks: ✓ sent, ✓✓ delivered, blue ✓✓ read; a clock while queued. */
export function Ticks(props: { status: string }) {
  const s = props.status;
  const label = t(s);
  if (s === 'failed') return <span class="ticks failed" title={label} aria-label={label}>!</span>;
  if (s === 'queued' || s === 'pending')
    return (
      <span class="ticks" title={label} aria-label={label} data-tick={s}>
        <Icon name="clock" />
      </span>
    );
  const double = s === 'delivered' || s === 'read' || s === 'played';
  return (
    <span class={`ticks${s === 'read' || s === 'played' ? ' read' : ''}`} title={label} aria-label={label} data-tick={s}>
      {double ? '✓✓' : '✓'}
    </span>
  );
}

/** Small inline icons (no emoji: not every system has an emoji font). */
export function Icon(props: { name: 'clip' | 'group' | 'clock' | 'file' }) {
  const paths: Record<typeof props.name, string> = {
    clip: 'M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5',
    group: 'M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm7 0a2.5 2.5 0 1 0 0-5M3 19c0-3 2.7-5 6-5s6 2 6 5m2-5c2.4.3 4 2 4 5',
    clock: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zm0-13v4.5l3 2',
    file: 'M6 3h8l4 4v14H6zM14 3v4h4',
  };
  return (
    <svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">
      <path d={paths[props.name]} />
    </svg>
  );
}
