import { initAuthCreds } from '@whiskeysockets/baileys';
import pino from 'pino';
import { forgetUnpairedIdentity, formatPairingCode, isPaired, PendingPairingCode } from '../../src/engine/pairing-code.js';

const log = pino({ level: 'silent' });

describe('pairing by phone code: creds and the pending request', () => {
  it('a device is paired only with me and account; an unfinished code attempt is forgotten', () => {
    const creds = initAuthCreds();
    expect(isPaired(creds)).toBe(false);
    creds.me = { id: '5511999990000@s.whatsapp.net', name: '~' }; // what requestPairingCode sets at once
    creds.pairingCode = 'ABCDEFGH';
    expect(isPaired(creds)).toBe(false);
    expect(forgetUnpairedIdentity(creds)).toBe(true);
    expect(creds.me).toBeUndefined();
    expect(creds.pairingCode).toBeUndefined();
    expect(forgetUnpairedIdentity(creds)).toBe(false);

    creds.me = { id: '5511999990000:1@s.whatsapp.net' };
    creds.account = { details: new Uint8Array(1), accountSignatureKey: new Uint8Array(1), accountSignature: new Uint8Array(1), deviceSignature: new Uint8Array(1) };
    expect(isPaired(creds)).toBe(true);
    expect(forgetUnpairedIdentity(creds)).toBe(false);
    expect(creds.me?.id).toBe('5511999990000:1@s.whatsapp.net');
  });

  it('formats the code as WhatsApp shows it', () => {
    expect(formatPairingCode('ABCDEFGH')).toBe('ABCD-EFGH');
  });

  it('asks once per socket, with the same code on a replacement socket, and resolves the waiter', async () => {
    const asked: Array<[string, string | undefined]> = [];
    const sock = {
      requestPairingCode: async (phone: string, custom?: string) => {
        asked.push([phone, custom]);
        return custom ?? 'WXYZ2345';
      },
    };
    const pending = new PendingPairingCode('inst_x', '5511999990000', 1_000);
    const ready = pending.ready(5_000);
    expect(await pending.onQr(1, sock, log)).toEqual({ code: 'WXYZ-2345', expiresAt: 1_000 });
    await ready;
    expect(await pending.onQr(1, sock, log)).toEqual({ code: 'WXYZ-2345', expiresAt: 1_000 });
    expect(await pending.onQr(2, sock, log)).toEqual({ code: 'WXYZ-2345', expiresAt: 1_000 });
    expect(asked).toEqual([
      ['5511999990000', undefined],
      ['5511999990000', 'WXYZ2345'],
    ]);
  });

  it('a failed request or the end of the cycle rejects the waiter with pairing_code_unavailable', async () => {
    const failing = new PendingPairingCode('inst_x', '5511999990000', 1_000);
    const waiting = failing.ready(5_000);
    expect(await failing.onQr(1, { requestPairingCode: async () => Promise.reject(new Error('boom')) }, log)).toBeNull();
    await expect(waiting).rejects.toMatchObject({ code: 'pairing_code_unavailable' });

    const expired = new PendingPairingCode('inst_x', '5511999990000', 1_000);
    const late = expired.ready(5_000);
    expired.fail('the pairing cycle expired');
    await expect(late).rejects.toMatchObject({ code: 'pairing_code_unavailable' });
    await expect(new PendingPairingCode('inst_x', '1', 0).ready(10)).rejects.toMatchObject({ code: 'pairing_code_unavailable' });
  });
});
