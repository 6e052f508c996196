import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, enc, type Instance, type PairingCode } from '../api';
import { formatTime, t } from '../i18n';
import { ActionButton, ErrorBox, Field, Spinner } from '../ui';

/** Codes per cycle as the last QR seen said (the server's QR_MAX_ATTEMPTS); unknown until a QR was shown. */
let lastMaxAttempts: number | null = null;

export function LinkPanel(props: { instance: Instance; onChanged: () => Promise<void> }) {
  const [mode, setMode] = useState<'qr' | 'phone'>(props.instance.pairingCode ? 'phone' : 'qr');
  const i = props.instance;
  if (i.status === 'connected') {
    return (
      <div class="card connected" data-testid="connected" role="status">
        <h2>✓ {t('Connected')}</h2>
        <p>
          {t('Linked number')}: <strong data-testid="connected-phone">{i.phone ?? '—'}</strong>
        </p>
      </div>
    );
  }
  return (
    <div class="card">
      <div class="tabs small-tabs" role="tablist" aria-label={t('How to link')}>
        <button type="button" role="tab" class="tab" aria-selected={mode === 'qr'} onClick={() => setMode('qr')}>
          {t('QR code')}
        </button>
        <button type="button" role="tab" class="tab" aria-selected={mode === 'phone'} onClick={() => setMode('phone')}>
          {t('Phone code')}
        </button>
      </div>
      {mode === 'qr' ? <QrView instance={i} onChanged={props.onChanged} /> : <PhoneCodeView instance={i} onChanged={props.onChanged} />}
    </div>
  );
}

function QrView(props: { instance: Instance; onChanged: () => Promise<void> }) {
  const i = props.instance;
  const [error, setError] = useState<unknown>(null);
  const qr = i.status === 'qr' ? i.qrCode : undefined;
  const [shownAt, setShownAt] = useState(Date.now());
  const [now, setNow] = useState(Date.now());
  useEffect(() => setShownAt(Date.now()), [qr?.attemptId, qr?.code]);
  if (qr) lastMaxAttempts = qr.maxAttempts;
  useEffect(() => {
    if (!qr) return;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [qr?.code]);

  if (i.status === 'disconnected' && i.statusReason === 'qr_expired') {
    return (
      <div class="qr-empty">
        <p>{lastMaxAttempts === null ? t('All codes expired without a scan.') : t('All {n} codes expired without a scan.', { n: lastMaxAttempts })}</p>
        <ErrorBox error={error} />
        <ActionButton
          data-testid="regenerate-qr"
          onAction={async () => {
            setError(null);
            await api('POST', `/whatsapp/instances/${enc(i.id)}/regenerate-qr`);
            await props.onChanged();
          }}
          onError={setError}
        >
          {t('Generate new codes')}
        </ActionButton>
      </div>
    );
  }
  if (!qr) {
    const waiting = i.status === 'created' || i.status === 'qr' || i.statusReason === 'restarting';
    return (
      <div class="qr-empty" aria-busy={waiting}>
        {waiting ? (
          <p>
            <Spinner /> {t('Waiting for a QR code…')}
          </p>
        ) : (
          <p>{t('This number is not linked. Restart the instance to get a new QR code.')}</p>
        )}
      </div>
    );
  }
  const left = Math.max(0, Math.min(qr.expiry, Math.ceil(qr.expiry - (Math.max(now, shownAt) - shownAt) / 1000)));
  return (
    <div class="qr-layout">
      <img class="qr" src={qr.base64} alt={t('QR code to scan with WhatsApp')} data-testid="qr" data-attempt={qr.attemptId} width={320} height={320} />
      <div>
        <ol class="steps">
          <li>{t('Open WhatsApp on your phone.')}</li>
          <li>{t('Go to Settings › Linked devices › Link a device.')}</li>
          <li>{t('Point the phone at this code.')}</li>
        </ol>
        <p class="countdown" aria-live="polite">
          <span data-testid="qr-attempt">{t('Attempt {n} of {max}', { n: qr.attempt, max: qr.maxAttempts })}</span>
          {' · '}
          <span>{t('expires in {s} s', { s: left })}</span>
        </p>
        <progress max={qr.expiry} value={left} aria-label={t('Time left for this code')} />
        <p class="muted small">{t('A new code replaces this one by itself.')}</p>
      </div>
    </div>
  );
}

/** Pairing by phone code: the number in, the code out with its countdown; the panel turns to "connected" live. */
function PhoneCodeView(props: { instance: Instance; onChanged: () => Promise<void> }) {
  const i = props.instance;
  const [phone, setPhone] = useState('');
  const [asked, setAsked] = useState<PairingCode | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [now, setNow] = useState(Date.now());
  // The live instance carries the code while it waits (also after a reload); the POST answer shows it at once.
  const current = i.status === 'qr' ? (i.pairingCode ?? asked) : null;
  const expired = i.status === 'disconnected' && i.statusReason === 'qr_expired' && asked !== null;
  useEffect(() => {
    if (!current) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [current?.code]);
  const left = current ? Math.max(0, Math.round((Date.parse(current.expiresAt) - now) / 1000)) : 0;
  const [first, second] = current ? current.code.split('-') : [];
  return (
    <form
      class="phone-code"
      onSubmit={(e) => {
        e.preventDefault();
      }}
    >
      <p>{t('Link with a code instead of scanning: WhatsApp › Linked devices › Link with phone number.')}</p>
      <Field label={t('Phone number with country code')} error={fieldError}>
        {(id, describedBy) => (
          <input
            id={id}
            name="phone"
            aria-describedby={describedBy}
            aria-invalid={fieldError ? true : undefined}
            type="tel"
            inputMode="tel"
            autocomplete="tel"
            data-testid="pairing-phone"
            value={phone}
            placeholder="+55 11 99999-0000"
            onInput={(e) => setPhone((e.currentTarget as HTMLInputElement).value)}
          />
        )}
      </Field>
      <ErrorBox error={error} />
      <ActionButton
        type="submit"
        data-testid="pairing-submit"
        onAction={async () => {
          setError(null);
          setFieldError(undefined);
          setAsked(await api<PairingCode>('POST', `/whatsapp/instances/${enc(i.id)}/pairing-code`, { phone }));
          await props.onChanged();
        }}
        onError={(err) => {
          const field = err instanceof ApiError ? err.fieldErrors().phone : undefined;
          if (field) setFieldError(field);
          else setError(err);
        }}
      >
        {current || expired ? t('Get a new code') : t('Get phone code')}
      </ActionButton>
      {expired && (
        <p class="muted" role="status" data-testid="pairing-expired">
          {t('The code expired before it was typed. Get a new one.')}
        </p>
      )}
      {current && (
        <div class="pairing-code-box" role="status">
          <ol class="steps">
            <li>{t('Open WhatsApp on the phone with this number.')}</li>
            <li>{t('Go to Settings › Linked devices › Link a device › Link with phone number instead.')}</li>
            <li>{t('Type this code:')}</li>
          </ol>
          <p class="pairing-code" data-testid="pairing-code" aria-label={t('Pairing code {code}', { code: current.code })}>
            <strong>{first}</strong>-<strong>{second}</strong>
          </p>
          <p class="countdown" aria-live="polite" data-testid="pairing-countdown">
            {t('expires in {s} s', { s: left })} <span class="muted">({t('valid until {time}', { time: formatTime(current.expiresAt) })})</span>
          </p>
          <p class="muted small">
            <Spinner /> {t('Waiting for the phone…')}
          </p>
        </div>
      )}
    </form>
  );
}
