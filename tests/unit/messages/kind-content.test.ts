import { lidPairOf, lidPairsOfStoreWrite } from '../../../src/engine/event-mapping.js';
import { kindContentOf, publicMessageType, readableContent } from '../../../src/services/messages/inbound-content.js';
import { readVCard } from '../../../src/services/messages/vcard-reader.js';

describe('kind content of received messages', () => {
  it('reads a location, inside an ephemeral wrapper too', () => {
    const location = { degreesLatitude: -23.5, degreesLongitude: -46.6, name: 'Sé', address: 'SP' };
    expect(kindContentOf({ ephemeralMessage: { message: { locationMessage: location } } })).toEqual({
      kind: 'location', latitude: -23.5, longitude: -46.6, name: 'Sé', address: 'SP', url: null, live: false,
    });
    expect(kindContentOf({ liveLocationMessage: { degreesLatitude: 1, degreesLongitude: 2 } })).toMatchObject({ kind: 'location', live: true });
  });

  it('reads contact cards from their vCards (waid wins over the printed number)', () => {
    const vcard = 'BEGIN:VCARD\nVERSION:3.0\nFN:Ana\\, Lima\nORG:ACME;\nTEL;type=CELL;waid=5511900000001:+55 11 90000-0001\nEMAIL;type=INTERNET:ana@example.com\nEND:VCARD';
    expect(readVCard(vcard)).toEqual({ name: 'Ana, Lima', phones: ['5511900000001'], org: 'ACME', email: 'ana@example.com' });
    const content = kindContentOf({ contactsArrayMessage: { displayName: '2 contacts', contacts: [{ displayName: 'Ana', vcard }, { displayName: 'x' }] } });
    expect(content).toMatchObject({ kind: 'contacts', displayName: '2 contacts', contacts: [{ name: 'Ana, Lima', vcard }] });
    expect(readableContent(content!)).toEqual({ contacts: [{ name: 'Ana, Lima', phones: ['5511900000001'], org: 'ACME', email: 'ana@example.com' }] });
  });

  it('reads a poll of any version, single or multiple choice', () => {
    const single = kindContentOf({ pollCreationMessageV3: { name: 'Q?', options: [{ optionName: 'a' }, { optionName: 'b' }], selectableOptionsCount: 1 } });
    expect(readableContent(single!)).toEqual({ poll: { question: 'Q?', options: [{ name: 'a', voters: [] }, { name: 'b', voters: [] }], multipleAnswers: false } });
    expect(kindContentOf({ pollCreationMessage: { name: 'M', options: [{ optionName: 'x' }], selectableOptionsCount: 0 } })).toMatchObject({ multipleAnswers: true });
    expect(publicMessageType('pollCreationMessageV3')).toBe('pollCreationMessage');
    expect(publicMessageType('locationMessage')).toBe('locationMessage');
    expect(publicMessageType(null)).toBe('unknown');
  });

  it('gives nothing for text and other media', () => {
    expect(kindContentOf({ conversation: 'hi' })).toBeNull();
    expect(kindContentOf({ imageMessage: { caption: 'x' } })).toBeNull();
    expect(kindContentOf(null)).toBeNull();
    expect(kindContentOf({ stickerMessage: { isAnimated: true } })).toEqual({ kind: 'sticker', animated: true });
  });
});

describe('LID ↔ phone pairs the engine reports', () => {
  it("reads Baileys' lid-mapping store writes (pn → lid, and the reverse entries skipped)", () => {
    expect(lidPairsOfStoreWrite({ '5511988887777': '123456789012345', '123456789012345_reverse': '5511988887777', junk: null })).toEqual([
      { lid: '123456789012345@lid', pn: '5511988887777@s.whatsapp.net' },
    ]);
    expect(lidPairsOfStoreWrite(undefined)).toEqual([]);
  });

  it('pairs a LID and a phone JID in either order, dropping device parts', () => {
    expect(lidPairOf('5511988887777:3@s.whatsapp.net', '123:3@lid')).toEqual({ lid: '123@lid', pn: '5511988887777@s.whatsapp.net' });
    expect(lidPairOf('123@lid', '5511988887777@s.whatsapp.net')).toEqual({ lid: '123@lid', pn: '5511988887777@s.whatsapp.net' });
    expect(lidPairOf('123@lid', '456@lid')).toBeNull();
    expect(lidPairOf('120363@g.us', null)).toBeNull();
  });
});
