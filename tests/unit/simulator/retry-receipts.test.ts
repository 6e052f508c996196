import { extractE2ESessionFromRetryReceipt } from '@whiskeysockets/baileys';
import { bundleOfRetry, retryReceiptNode } from '../../../src/simulator/messaging/retry-receipts.js';
import { SignalParty } from '../../../src/simulator/signal/signal-party.js';

describe('simulator retry receipts', () => {
  const contactAddress = { name: '5511900000001', device: 0 };
  const deviceAddress = { name: '5511900000002', device: 1 };

  it("carry a bundle Baileys' extractE2ESessionFromRetryReceipt reads, and a session started from it is one the contact decrypts", async () => {
    const contact = new SignalParty('retry-test', 'contact');
    const device = new SignalParty('retry-test', 'device');
    const offered = contact.takeBundle();
    const receipt = retryReceiptNode({ from: '5511900000001@s.whatsapp.net', participant: '5511900000001@s.whatsapp.net', id: '3EB0RETRY', t: '1', count: 2, bundle: offered });

    const baileys = extractE2ESessionFromRetryReceipt(receipt);
    expect(baileys).not.toBeNull();
    expect(baileys!.registrationId).toBe(contact.registrationId);
    expect(baileys!.signedPreKey.keyId).toBe(offered.signedPreKey.keyId);
    expect(baileys!.preKey?.keyId).toBe(offered.preKey?.keyId);
    expect(receipt.attrs).toMatchObject({ type: 'retry', id: '3EB0RETRY' });

    // The sender starts a new session from the receipt's bundle and sends again; the contact reads it.
    const parsed = bundleOfRetry(receipt);
    expect(parsed).toEqual(offered);
    await device.restartSession(contactAddress, parsed!);
    const { type, ciphertext } = await device.encrypt(contactAddress, Buffer.from('hello again'), () => undefined);
    expect(type).toBe('pkmsg');
    expect((await contact.decrypt(deviceAddress, type, ciphertext)).toString()).toBe('hello again');
  });

  it('reads no bundle from a first retry receipt, which carries none', () => {
    const receipt = retryReceiptNode({ from: 'a@s.whatsapp.net', participant: 'a@s.whatsapp.net', id: 'X', t: '1', count: 1, bundle: new SignalParty('r', 'c').takeBundle() });
    receipt.content = (receipt.content as { tag: string }[]).filter((n) => n.tag !== 'keys') as typeof receipt.content;
    expect(bundleOfRetry(receipt)).toBeUndefined();
  });
});
