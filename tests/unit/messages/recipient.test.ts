import {
  formatE164,
  InvalidRecipientError,
  normalizeRecipient,
  phoneDigits,
  toRecipientJid,
} from '../../../src/services/messages/recipient.js';

describe('recipient', () => {
  it.each([
    ['+55 (11) 99999-9999', '5511999999999@s.whatsapp.net'],
    ['5511999999999', '5511999999999@s.whatsapp.net'],
    ['55 11 9999-9999', '551199999999@s.whatsapp.net'],
    ['+1 415.555.2671', '14155552671@s.whatsapp.net'],
    ['0044 20 7946 0958', '442079460958@s.whatsapp.net'],
    ['  +49/30/123456  ', '4930123456@s.whatsapp.net'],
    ['5511999999999@s.whatsapp.net', '5511999999999@s.whatsapp.net'],
    ['5511999999999@c.us', '5511999999999@s.whatsapp.net'],
    ['5511999999999@S.WhatsApp.Net', '5511999999999@s.whatsapp.net'],
    ['123456789012345@lid', '123456789012345@lid'],
    ['120363025246125888@g.us', '120363025246125888@g.us'],
    ['5511999999999-1609459200@g.us', '5511999999999-1609459200@g.us'],
  ])('%j → %s', (input, jid) => {
    expect(toRecipientJid(input)).toBe(jid);
  });

  it('tells the kind and the phone', () => {
    expect(normalizeRecipient('+55 (11) 99999-9999')).toEqual({ jid: '5511999999999@s.whatsapp.net', kind: 'user', phone: '5511999999999' });
    expect(normalizeRecipient('42@lid')).toEqual({ jid: '42@lid', kind: 'lid', phone: null });
    expect(normalizeRecipient('120363025246125888@g.us').kind).toBe('group');
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['abc', 'invalid_characters'],
    ['55 11 9999-999x', 'invalid_characters'],
    ['55+11999999999', 'invalid_characters'],
    ['011 99999 9999', 'missing_country_code'],
    ['1234567', 'too_short'],
    ['1234567890123456', 'too_long'],
    ['abc@s.whatsapp.net', 'invalid_jid'],
    ['5511999999999:3@s.whatsapp.net', 'invalid_jid'],
    ['12@s.whatsapp.net', 'too_short'],
    ['x@lid', 'invalid_jid'],
    ['hello@g.us', 'invalid_jid'],
    ['status@broadcast', 'unsupported_jid_server'],
    ['123@newsletter', 'unsupported_jid_server'],
  ])('refuses %j (%s)', (input, reason) => {
    let caught: unknown;
    try {
      normalizeRecipient(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidRecipientError);
    expect(caught).toMatchObject({ code: 'invalid_recipient', reason, input });
  });

  it('keeps E.164 bounds: 8 to 15 digits', () => {
    expect(phoneDigits('12345678')).toBe('12345678');
    expect(phoneDigits('123456789012345')).toBe('123456789012345');
  });

  it('formats E.164 for display', () => {
    expect(formatE164('55 (11) 99999-9999')).toBe('+5511999999999');
    expect(formatE164('5511999999999@s.whatsapp.net')).toBe('+5511999999999');
    expect(() => formatE164('42@lid')).toThrow(InvalidRecipientError);
  });
});
