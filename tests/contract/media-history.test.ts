import { createHash } from 'node:crypto';
import { downloadMediaMessage, type WAMessage } from '@whiskeysockets/baileys';
import { Client, eventually, memoryAuth, pairDevice, silenceSignalChatter, startHarness, type Harness } from './support/baileys-harness.js';

silenceSignalChatter();

const PHONE = '5511944440000';
const DANA = '5511955550000';
const jid = (n: string) => `${n}@s.whatsapp.net`;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

// a 1x1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe('contract: media and history sync (needs NODE_EXTRA_CA_CERTS, set by npm test)', () => {
  let h: Harness;
  let client: Client;

  beforeAll(async () => {
    h = await startHarness();
    await h.control.createContact(DANA, 'Dana');
    await h.control.history(PHONE, {
      contacts: [{ phone: DANA, name: 'Dana' }],
      chats: [{ phone: DANA, unreadCount: 2, pinned: true, archived: false, muted: true }],
      messages: [
        { chatPhone: DANA, fromMe: false, text: 'old hello', timestamp: 1_700_000_000, id: 'HIST1' },
        { chatPhone: DANA, fromMe: true, text: 'old reply', timestamp: 1_700_000_100, id: 'HIST2' },
      ],
    });
    client = await pairDevice(h, PHONE, 'Alice', { shouldSyncHistoryMessage: () => true });
  });
  afterAll(async () => {
    client?.end();
    await h.close();
  });

  it('the first login gets the phone history: messaging-history.set with contacts, chats and messages', async () => {
    const set = await client.waitFor('messaging-history.set', (s) => s.messages.length > 0, 10_000);
    expect(set.messages.map((m) => m.key.id).sort()).toEqual(['HIST1', 'HIST2']);
    const chat = set.chats.find((c) => c.id === jid(DANA));
    expect(chat).toMatchObject({ unreadCount: 2 });
    expect(chat?.pinned).toBeTruthy();
    expect(chat?.muteEndTime).toBeTruthy();
  });

  it('device → contact: image with caption and document with file name are uploaded, downloaded and hashed', async () => {
    const doc = Buffer.from('%PDF-1.4 simulated document\n');
    await client.sock.sendMessage(jid(DANA), { image: PNG, caption: 'a pixel', mimetype: 'image/png' });
    await client.sock.sendMessage(jid(DANA), { document: doc, mimetype: 'application/pdf', fileName: 'report.pdf', caption: 'the report' });
    await client.sock.sendMessage(jid(DANA), { audio: doc, mimetype: 'audio/ogg; codecs=opus', ptt: true });
    await eventually(async () => expect(await h.control.inbox(DANA)).toHaveLength(3));
    const [image, document, voice] = await h.control.inbox(DANA);
    expect(image).toMatchObject({ type: 'image', caption: 'a pixel', mimetype: 'image/png', sha256: sha256(PNG), size: PNG.length });
    expect(document).toMatchObject({ type: 'document', fileName: 'report.pdf', caption: 'the report', sha256: sha256(doc), size: doc.length });
    expect(voice).toMatchObject({ type: 'audio', ptt: true, sha256: sha256(doc) });
  });

  it('contact → device: image, document and voice note arrive and downloadMediaMessage decrypts them', async () => {
    const doc = Buffer.from('hello document');
    const sends = [
      { type: 'image' as const, mimetype: 'image/png', caption: 'pic', dataBase64: PNG.toString('base64') },
      { type: 'document' as const, mimetype: 'text/plain', fileName: 'notes.txt', caption: 'notes', dataBase64: doc.toString('base64') },
      { type: 'voice' as const, mimetype: 'audio/ogg; codecs=opus', dataBase64: doc.toString('base64') },
    ];
    for (const media of sends) {
      const mark = client.mark();
      const { id } = await h.control.sendFromContact(DANA, { to: PHONE, media });
      const { messages } = await client.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === id), 10_000, mark);
      const msg = messages.find((m) => m.key.id === id) as WAMessage;
      const data = (await downloadMediaMessage(msg, 'buffer', {})) as Buffer;
      expect(sha256(data)).toBe(sha256(Buffer.from(media.dataBase64, 'base64')));
      if (media.type === 'image') expect(msg.message?.imageMessage?.caption).toBe('pic');
      if (media.type === 'document') expect(msg.message?.documentMessage?.fileName).toBe('notes.txt');
      if (media.type === 'voice') expect(msg.message?.audioMessage?.ptt).toBe(true);
    }
  });

  it('a device paired without history still gets an (empty) initial sync and is not held 20 s', async () => {
    const other = await pairDevice(h, '5511944449999', 'Other', { shouldSyncHistoryMessage: () => true });
    try {
      // Held, Baileys would wait 20 s for a history notification before emitting the (empty) set.
      await other.waitFor('messaging-history.set', () => true, 15_000);
    } finally {
      other.end();
    }
  });
});

void memoryAuth;
