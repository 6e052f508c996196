import { useEffect, useState } from 'preact/hooks';
import { api, enc, type Instance } from '../api';
import { formatTime, t } from '../i18n';
import { ActionButton, ErrorBox, Field, Spinner } from '../ui';

/** Codes per cycle as the last QR seen said (the server's QR_MAX_ATTEMPTS); unknown until a QR was shown. */
let lastMaxAttempts: number | null = null;

export function LinkPanel(props: { instance: Instance; onChanged: () => Promise<void> }) {
  const [mode, setMode] = useState<'qr' | 'phone'>('qr');
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
      {mode === 'qr' ? <QrView instance={i} onChanged={props.onChanged} /> : <PhoneCodeView instance={i} />}
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

function PhoneCodeView(props: { instance: Instance }) {
  const [phone, setPhone] = useState('');
  const [result, setResult] = useState<{ code: string; expiresAt: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      class="phone-code"
      onSubmit={(e) => {
        e.preventDefault();
      }}
    >
      <p>{t('Link with a code instead of scanning: WhatsApp › Linked devices › Link with phone number.')}</p>
      <Field label={t('Phone number with country code')}>
        {(id) => <input id={id} type="tel" inputMode="tel" autocomplete="tel" value={phone} placeholder="5511999990000" onInput={(e) => setPhone((e.currentTarget as HTMLInputElement).value)} />}
      </Field>
      <ErrorBox error={error} />
      <ActionButton
        type="submit"
        onAction={async () => {
          setError(null);
          setResult(null);
          setResult(await api<{ code: string; expiresAt: string }>('POST', `/whatsapp/instances/${enc(props.instance.id)}/pairing-code`, { phone }));
        }}
        onError={setError}
      >
        {t('Get phone code')}
      </ActionButton>
      {result && (
        <p class="pairing-code" role="status">
          <strong>{result.code}</strong> <span class="muted">{t('valid until {time}', { time: formatTime(result.expiresAt) })}</span>
        </p>
      )}
    </form>
  );
}
