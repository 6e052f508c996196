import { ChatRepository } from '../../../src/persistence/repositories/chat-repository.js';
import { ContactRepository } from '../../../src/persistence/repositories/contact-repository.js';
import { LidMappingRepository } from '../../../src/persistence/repositories/lid-mapping-repository.js';
import { MessageRepository } from '../../../src/persistence/repositories/message-repository.js';
import { LidDirectory } from '../../../src/services/messages/lid-directory.js';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { inbound, makeInstance } from './persistence-fixtures.js';

let db: TestDatabase;
let lids: LidMappingRepository;
let contacts: ContactRepository;
let chats: ChatRepository;
let messages: MessageRepository;
beforeAll(async () => {
  db = await createTestDatabase();
  lids = new LidMappingRepository(db.dataSource);
  contacts = new ContactRepository(db.dataSource);
  chats = new ChatRepository(db.dataSource);
  messages = new MessageRepository(db.dataSource);
});
afterAll(async () => {
  await db.close();
});

const LID = '123456789012345@lid';
const PN = '5511977776666@s.whatsapp.net';

describe('lid_mappings', () => {
  it('learning a pair merges the LID chat, contact and messages into the phone JID', async () => {
    const { id } = await makeInstance(db.dataSource);
    // What was known by LID only ...
    await messages.storeWithEvent(inbound(id, { chatJid: LID, senderJid: LID, senderLid: LID, text: 'by LID' }), null);
    await contacts.upsertMany(id, [{ jid: LID, lid: LID, notify: 'Lia' }]);
    // ... and by phone only
    await messages.storeWithEvent(inbound(id, { chatJid: PN, senderJid: PN, senderPhone: '+5511977776666', text: 'by phone' }), null);
    await contacts.upsertMany(id, [{ jid: PN, phone: '+5511977776666', name: 'Lia Souza' }]);

    const recorded = await lids.record(id, { lid: LID, pn: PN, source: 'message', addressing: 'lid' });
    expect(recorded).toMatchObject({ merged: true, mapping: { lid: LID, pn: PN, source: 'message', addressing: 'lid' } });

    expect(await chats.find(id, LID)).toBeNull();
    expect(await chats.find(id, PN)).toMatchObject({ unreadCount: 2 });
    const page = await messages.listByChat(id, PN);
    expect(page.items.map((m) => m.text).sort()).toEqual(['by LID', 'by phone']);
    expect(page.items.find((m) => m.text === 'by LID')).toMatchObject({ senderJid: PN, senderPhone: '+5511977776666', senderLid: LID });
    expect(await contacts.find(id, LID)).toBeNull();
    expect(await contacts.find(id, PN)).toMatchObject({ lid: LID, phone: '+5511977776666', name: 'Lia Souza', notify: 'Lia' });

    // the same pair again changes nothing; a new addressing is kept without a merge
    expect(await lids.record(id, { lid: LID, pn: PN, source: 'lid-mapping.update' })).toBeNull();
    expect(await lids.record(id, { lid: LID, pn: PN, source: 'message', addressing: 'pn' })).toMatchObject({ merged: false, mapping: { addressing: 'pn' } });
    expect((await lids.findByPn(id, PN))?.lid).toBe(LID);
  });

  it('a phone that gets a new LID keeps one pair', async () => {
    const { id } = await makeInstance(db.dataSource);
    await lids.record(id, { lid: '111@lid', pn: PN, source: 'history' });
    await lids.record(id, { lid: '222@lid', pn: PN, source: 'signal-store' });
    expect(await lids.findByLid(id, '111@lid')).toBeNull();
    expect(await lids.findByPn(id, PN)).toMatchObject({ lid: '222@lid', source: 'signal-store' });
  });

  it('send targets are kept, and follow what this node learns and what another node wrote once the status changes', async () => {
    const { id } = await makeInstance(db.dataSource);
    const directory = new LidDirectory({ mappings: lids, logger: pino({ level: 'silent' }) });
    expect(await directory.sendTarget(id, PN)).toBe(PN);
    // learnt here: the cached answer follows at once
    await directory.learn(id, [{ lid: LID, pn: PN }], 'message', 'lid');
    expect(await directory.sendTarget(id, PN)).toBe(LID);
    // written by another node (the instance ran there): seen once the instance's status changes here
    await lids.record(id, { lid: LID, pn: PN, source: 'message', addressing: 'pn' });
    expect(await directory.sendTarget(id, PN)).toBe(LID);
    directory.forgetSendTargets(id);
    expect(await directory.sendTarget(id, PN)).toBe(PN);
  });
});
