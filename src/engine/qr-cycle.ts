import type { Logger } from 'pino';
import type { QrCodeInfo } from './engine-types.js';
import { errorMessage } from './error-message.js';
import { renderQrPng } from './qr-png.js';

export interface QrCycleOptions {
  instanceId: string;
  log: Logger;
  /** How long each QR lives. */
  ttlMs: number;
  /** QR codes per cycle before the cycle expires. */
  maxAttempts: number;
  now: () => number;
  /** The runtime's current socket generation: work for an older one is dropped. */
  generation: () => number;
  /** Reports a rendered QR code (status `qr`). */
  onCode: (qr: QrCodeInfo) => void;
  /** The cycle ran out of codes: close the socket and report `disconnected`/`qr_expired`. */
  onExpired: () => Promise<void>;
}

/**
 * Our own count of QR codes in one pairing cycle (Baileys' `qrTimeout` sets each one's life). Codes are rendered
 * and reported in order through one chain; after the last one lives out its TTL, the cycle expires.
 */
export class QrCycle {
  /** Codes shown in this cycle so far. */
  attempts = 0;
  /** Settles once every code received so far has been reported (awaited before the socket changes). */
  chain: Promise<void> = Promise.resolve();
  private expiryTimer: NodeJS.Timeout | null = null;
  private expiringGen = -1;

  constructor(private readonly options: QrCycleOptions) {}

  onQr(gen: number, code: string): void {
    const { ttlMs, maxAttempts, now, log, instanceId } = this.options;
    this.attempts += 1;
    const attempt = this.attempts;
    if (attempt > maxAttempts) {
      void this.expire(gen);
      return;
    }
    this.clearExpiry();
    if (attempt === maxAttempts) {
      this.expiryTimer = setTimeout(() => void this.expire(gen), ttlMs);
    }
    const expiresAt = now() + ttlMs;
    // Reported in order through one chain: no attempt is reordered or dropped.
    this.chain = this.chain
      .then(async () => {
        const renderStarted = now();
        const base64 = renderQrPng(code);
        log.debug({ instanceId, attempt, renderMs: now() - renderStarted }, 'QR rendered');
        if (gen !== this.options.generation()) return;
        this.options.onCode({
          code,
          base64,
          attempt,
          attemptId: `qr_attempt_${attempt}`,
          maxAttempts,
          expiresAt,
          expirySeconds: Math.round(ttlMs / 1000),
        });
      })
      .catch((err: unknown) => log.error({ instanceId, err: errorMessage(err) }, 'QR rendering failed'));
  }

  clearExpiry(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
  }

  private async expire(gen: number): Promise<void> {
    if (gen !== this.options.generation() || this.expiringGen === gen) return;
    this.expiringGen = gen; // the timer and a late QR event may both get here
    this.clearExpiry();
    this.options.log.info({ instanceId: this.options.instanceId, attempts: this.options.maxAttempts }, 'QR cycle expired');
    await this.chain;
    if (gen !== this.options.generation()) return;
    await this.options.onExpired();
  }
}
