import { randomBytes } from 'node:crypto';
import { decryptPollVote as baileysDecryptPollVote, getAggregateVotesInPollMessage } from '@whiskeysockets/baileys';
import { decryptPollVote, encryptPollVote } from '../../../src/simulator/messaging/poll-crypto.js';
import { buildVCard, parseVCard } from '../../../src/simulator/messaging/vcard.js';

describe('simulator poll vote crypto', () => {
  const ctx = { pollMsgId: '3EB0POLL', pollCreatorJid: '5511900000001@s.whatsapp.net', voterJid: '123456789012345@lid', pollEncKey: randomBytes(32) };

  it("is what Baileys' decryptPollVote opens, and getAggregateVotesInPollMessage names the options", () => {
    const vote = encryptPollVote(['B', 'C'], ctx);
    const opened = baileysDecryptPollVote(vote, ctx);
    const tally = getAggregateVotesInPollMessage({
      message: { pollCreationMessage: { name: 'q', options: [{ optionName: 'A' }, { optionName: 'B' }, { optionName: 'C' }] } },
      pollUpdates: [{ pollUpdateMessageKey: { remoteJid: ctx.voterJid, id: 'V1' }, vote: opened }],
    });
    expect(tally.map((o) => [o.name, o.voters.length])).toEqual([
      ['A', 0],
      ['B', 1],
      ['C', 1],
    ]);
    expect(decryptPollVote(vote, ctx)).toHaveLength(2);
  });

  it('fails with any other jid, poll id or secret (the key and AAD bind them)', () => {
    const vote = encryptPollVote(['A'], ctx);
    expect(() => decryptPollVote(vote, { ...ctx, voterJid: '5511900000002@s.whatsapp.net' })).toThrow();
    expect(() => decryptPollVote(vote, { ...ctx, pollCreatorJid: '999@lid' })).toThrow();
    expect(() => decryptPollVote(vote, { ...ctx, pollMsgId: 'OTHER' })).toThrow();
    expect(() => decryptPollVote(vote, { ...ctx, pollEncKey: randomBytes(32) })).toThrow();
    expect(decryptPollVote(encryptPollVote([], ctx), ctx)).toEqual([]);
  });
});

describe('simulator vCards', () => {
  it('round-trips name, numbers (waid), org and email, escaping separators', () => {
    const card = buildVCard({ name: 'Roe; Jane, Dr.', phones: ['+55 11 90000-1111', '15550100'], org: 'Acme', email: 'jane@acme.test' });
    expect(card).toContain('TEL;type=CELL;type=VOICE;waid=5511900001111:+5511900001111');
    expect(parseVCard(card)).toEqual({ name: 'Roe; Jane, Dr.', phones: ['5511900001111', '15550100'], org: 'Acme', email: 'jane@acme.test' });
  });

  it('reads cards written by others (item-prefixed fields, CRLF, numbers without waid)', () => {
    const card = 'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;;;\r\nFN:John Doe\r\nitem1.TEL:+1 (555) 010-0200\r\nitem1.X-ABLabel:Mobile\r\nEND:VCARD';
    expect(parseVCard(card)).toEqual({ name: 'John Doe', phones: ['15550100200'] });
  });
});
