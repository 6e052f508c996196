/** Bare Baileys (in-memory auth, no engine): the baseline every benchmark compares with in the same run. */
import { DisconnectReason, initAuthCreds, type AuthenticationCreds, type SignalKeyStore, type WASocket } from '@whiskeysockets/baileys';

export interface BareAuth {
  creds: AuthenticationCreds;
  keys: SignalKeyStore;
}

export function memoryKeyStore(): SignalKeyStore {
  const data = new Map<string, unknown>();
  return {
    async get(type, ids) {
      const res: Record<string, never> = {};
      for (const id of ids) {
        const v = data.get(`${type}:${id}`);
        if (v !== undefined) res[id] = v as never;
      }
      return res;
    },
    async set(update) {
      for (const [type, entries] of Object.entries(update)) {
        for (const [id, v] of Object.entries(entries ?? {})) {
          if (v == null) data.delete(`${type}:${id}`);
          else data.set(`${type}:${id}`, v);
        }
      }
    },
  };
}

export function newBareAuth(): BareAuth {
  return { creds: initAuthCreds(), keys: memoryKeyStore() };
}

/**
 * Pairs a fresh bare socket: waits for the QR, lets `scan` play the phone, expects the 515 that ends pairing, then
 * opens a second socket with the same (updated in place) auth state and resolves once it is open. `auth` defaults to
 * a fresh in-memory one.
 */
export async function pairBare(
  open: (auth: BareAuth) => WASocket,
  scan: (qr: string) => Promise<unknown>,
  auth: BareAuth = newBareAuth(),
): Promise<WASocket> {
  const first = open(auth);
  await new Promise<void>((resolve, reject) => {
    first.ev.on('connection.update', (u) => {
      if (u.qr) scan(u.qr).catch(reject);
      if (u.connection === 'close') {
        const code = (u.lastDisconnect?.error as { output?: { statusCode?: number } })?.output?.statusCode;
        if (code === DisconnectReason.restartRequired) resolve();
        else reject(new Error(`pairing closed with ${code}`));
      }
    });
  });
  const again = open(auth);
  await new Promise<void>((resolve, reject) => {
    again.ev.on('connection.update', (u) => {
      if (u.connection === 'open') resolve();
      if (u.connection === 'close') reject(new Error('bare login closed'));
    });
  });
  return again;
}
