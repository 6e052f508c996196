import { proto } from '@whiskeysockets/baileys';
import { mapEngineEvent } from '../../src/engine/event-mapping.js';

describe('mapEngineEvent', () => {
  it('maps messages.upsert to plain messages in the seed shape', () => {
    const event = mapEngineEvent(
      'messages.upsert',
      {
        type: 'notify',
        messages: [
          {
            key: { id: 'ABC', remoteJid: '5511988887777@s.whatsapp.net', fromMe: false, remoteJidAlt: '123@lid' },
            message: { extendedTextMessage: { text: 'hello' }, messageContextInfo: { messageSecret: Buffer.from([1, 2, 3]) } },
            pushName: 'Bob',
            messageTimestamp: 1_700_000_000,
          },
        ],
      },
      42,
    );
    expect(event).toEqual({
      name: 'messages.upsert',
      at: 42,
      data: {
        type: 'notify',
        messages: [
          {
            key: { id: 'ABC', remoteJid: '5511988887777@s.whatsapp.net', fromMe: false, remoteJidAlt: '123@lid', participant: null, participantAlt: null, addressingMode: null },
            message: { extendedTextMessage: { text: 'hello' }, messageContextInfo: { messageSecret: 'AQID' } },
            messageType: 'extendedTextMessage',
            text: 'hello',
            pushName: 'Bob',
            messageTimestamp: 1_700_000_000,
            status: null,
          },
        ],
      },
    });
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  });

  it('maps receipts in messages.update to status names', () => {
    const event = mapEngineEvent(
      'messages.update',
      [{ key: { id: 'X', remoteJid: 'a@s.whatsapp.net', fromMe: true }, update: { status: proto.WebMessageInfo.Status.READ } }],
      1,
    );
    expect(event.data).toEqual([
      {
        key: { id: 'X', remoteJid: 'a@s.whatsapp.net', fromMe: true, remoteJidAlt: null, participant: null, participantAlt: null, addressingMode: null },
        status: 'read',
        message: null,
        messageType: null,
      },
    ]);
  });

  it('keeps only the fields a partial update carried', () => {
    expect(mapEngineEvent('contacts.update', [{ id: 'c@s.whatsapp.net', notify: 'New Name' }], 1).data).toEqual([
      { id: 'c@s.whatsapp.net', notify: 'New Name' },
    ]);
    expect(mapEngineEvent('chats.update', [{ id: 'c@s.whatsapp.net', unreadCount: 3 }], 1).data).toEqual([
      { id: 'c@s.whatsapp.net', unreadCount: 3 },
    ]);
  });

  it('maps deletes, presence and groups', () => {
    expect(mapEngineEvent('messages.delete', { jid: 'g@g.us', all: true }, 1).data).toEqual({ jid: 'g@g.us', all: true });
    expect(
      mapEngineEvent('presence.update', { id: 'a@s.whatsapp.net', presences: { 'a@s.whatsapp.net': { lastKnownPresence: 'composing' } } }, 1).data,
    ).toEqual({ id: 'a@s.whatsapp.net', presences: { 'a@s.whatsapp.net': { lastKnownPresence: 'composing', lastSeen: null } } });
    const group = mapEngineEvent(
      'groups.upsert',
      [{ id: 'g@g.us', subject: 'Team', owner: 'o@s.whatsapp.net', participants: [{ id: 'p@s.whatsapp.net', admin: 'admin' }] }],
      1,
    );
    expect(group.data).toEqual([
      {
        id: 'g@g.us',
        subject: 'Team',
        desc: null,
        owner: 'o@s.whatsapp.net',
        creation: null,
        announce: null,
        restrict: null,
        participants: [{ id: 'p@s.whatsapp.net', admin: 'admin' }],
      },
    ]);
  });
});

describe('mapEngineEvent: group-participants.update', () => {
  it('keeps who did it and each member with its other addressing and role', () => {
    const event = mapEngineEvent(
      'group-participants.update',
      {
        id: '120363000000000001@g.us',
        author: '5511999999999@s.whatsapp.net',
        participants: [
          { id: '5511888888888@s.whatsapp.net', lid: '777@lid', admin: 'admin' },
          { id: '888@lid', phoneNumber: '5511777777777@s.whatsapp.net' },
        ],
        action: 'promote',
      },
      7,
    );
    expect(event).toEqual({
      name: 'group-participants.update',
      at: 7,
      data: {
        id: '120363000000000001@g.us',
        author: '5511999999999@s.whatsapp.net',
        authorPn: null,
        action: 'promote',
        participants: [
          { id: '5511888888888@s.whatsapp.net', phoneNumber: '5511888888888@s.whatsapp.net', lid: '777@lid', admin: 'admin' },
          { id: '888@lid', phoneNumber: '5511777777777@s.whatsapp.net', lid: '888@lid', admin: null },
        ],
      },
    });
  });
});
