import type { AuthenticationCreds, WASocket } from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import { PairingCodeUnavailableError } from './engine-errors.js';
import type { PairingCodeInfo } from './engine-types.js';

/**
 * True when the creds belong to a linked device. `creds.me` alone is not enough: Baileys' requestPairingCode sets
 * `me` (`{id: phone, name: '~'}`) before the phone confirms; pair-success (QR or code) also brings `account`.
 */
export function isPaired(creds: AuthenticationCreds): boolean {
  return Boolean(creds.me?.id && creds.account);
}

/**
 * Drops what an unfinished pairing-code attempt left in the creds (`me`, `pairingCode`), so the next socket
 * registers (shows QR refs) instead of trying to log in as a device that never existed. Returns whether it changed.
 */
export function forgetUnpairedIdentity(creds: AuthenticationCreds): boolean {
  if (isPaired(creds) || (!creds.me && !creds.pairingCode)) return false;
  delete creds.me;
  delete creds.pairingCode;
  return true;
}

/** `ABCDEFGH` → `ABCD-EFGH`, as WhatsApp shows it. */
export function formatPairingCode(raw: string): string {
  return raw.length === 8 ? `${raw.slice(0, 4)}-${raw.slice(4)}` : raw;
}

/**
 * One request for a pairing code within one QR cycle of a runtime. Baileys can only ask once a registering socket
 * shows its first QR, and the code lives as long as that socket; the runtime calls `onQr` for every QR, so a socket
 * that Baileys replaces within the cycle (408 when its refs run out) gets the same code again (requestPairingCode's
 * custom code), and the person can keep typing what they were shown.
 */
export class PendingPairingCode {
  private code: string | null = null;
  private requestedOnGen = -1;
  private settled = false;
  private resolveReady: (() => void) | null = null;
  private rejectReady: ((err: Error) => void) | null = null;
  private failure: Error | null = null;

  constructor(
    readonly instanceId: string,
    /** Digits with the country code. */
    readonly phone: string,
    readonly expiresAt: number,
  ) {}

  /** The code once Baileys made it. */
  info(): PairingCodeInfo {
    if (!this.code) throw new PairingCodeUnavailableError(this.instanceId, 'not requested yet');
    return { code: formatPairingCode(this.code), expiresAt: this.expiresAt };
  }

  /** Resolves once the code is known; rejects after `waitMs`, or when the request failed or the cycle ended. */
  ready(waitMs: number): Promise<void> {
    if (this.code) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(`no QR socket within ${waitMs} ms`), waitMs);
      this.resolveReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.rejectReady = (err) => {
        clearTimeout(timer);
        reject(err);
      };
    });
  }

  /** Called for each QR of socket generation `gen` (in order); returns the code to show with it, or null. */
  async onQr(gen: number, sock: Pick<WASocket, 'requestPairingCode'> | null, log: Logger): Promise<PairingCodeInfo | null> {
    if (this.requestedOnGen !== gen) {
      if (!sock) return null;
      try {
        this.code = await sock.requestPairingCode(this.phone, this.code ?? undefined);
        this.requestedOnGen = gen;
      } catch (err) {
        log.warn({ instanceId: this.instanceId, err: err instanceof Error ? err.message : String(err) }, 'requestPairingCode failed');
        this.fail(`WhatsApp refused the request: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      }
      if (!this.settled) {
        this.settled = true;
        this.resolveReady?.();
      }
    }
    return this.info();
  }

  /** The request cannot be served (any waiter gets a PairingCodeUnavailableError). */
  fail(reason: string): void {
    if (this.settled) return;
    this.settled = true;
    this.failure = new PairingCodeUnavailableError(this.instanceId, reason);
    this.rejectReady?.(this.failure);
  }
}
