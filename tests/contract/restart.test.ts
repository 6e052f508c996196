import { WA_CERT_DETAILS } from '@whiskeysockets/baileys';
import { startSimulator } from '../../src/simulator/index.js';
import { ControlClient } from '../../src/simulator/control/control-client.js';
import { Client, eventually, pairDevice, silenceSignalChatter, type Harness } from './support/baileys-harness.js';

silenceSignalChatter();

it('a simulator restarted with the same seed keeps its root key and adopts devices logging in with saved creds', async () => {
  const seed = `restart-${process.pid}`;
  const first = await startSimulator({ seed, media: false });
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(first.rootPublicKey, 'hex');
  const h: Harness = { sim: first, control: new ControlClient(first.controlUrl), close: () => first.close() };
  const paired = await pairDevice(h, '5511912340000');
  paired.end();
  await first.close();

  const second = await startSimulator({ seed, media: false });
  const control = new ControlClient(second.controlUrl);
  try {
    expect(second.rootPublicKey).toBe(first.rootPublicKey);
    await control.createContact('5511943210000', 'Gina');
    const client = new Client(second, paired.auth);
    client.connect();
    await client.waitForOpen();
    const device = (await control.state()).phones[0]?.devices[0];
    expect(device).toMatchObject({ jid: paired.auth.creds.me!.id, connected: true });

    await client.sock.sendMessage('5511943210000@s.whatsapp.net', { text: 'after restart' });
    await eventually(async () => expect(await control.inbox('5511943210000')).toEqual([expect.objectContaining({ text: 'after restart' })]));
    const { id } = await control.sendFromContact('5511943210000', { to: '5511912340000', text: 'welcome back' });
    const upsert = await client.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === id));
    expect(upsert.messages.find((m) => m.key.id === id)?.message?.conversation).toBe('welcome back');
    client.end();
  } finally {
    await second.close();
  }
});
