import { firstLink, pageSummary } from '../../../src/services/messages/kinds/link-preview.js';
import { readVCard } from '../../../src/services/messages/vcard-reader.js';
import { optionHash, pollTallyOf } from '../../../src/services/messages/kinds/poll-view.js';
import { cardsDisplayName, toVCard } from '../../../src/services/messages/kinds/vcard.js';

describe('link preview parsing', () => {
  it('finds the first http(s) link without trailing punctuation', () => {
    expect(firstLink('see https://example.com/a?b=1, then http://x.org')).toBe('https://example.com/a?b=1');
    expect(firstLink('(https://example.com/post).')).toBe('https://example.com/post');
    expect(firstLink('no link here, ftp://x too')).toBeNull();
  });

  it('prefers Open Graph, falls back to <title> and meta description, decodes entities', () => {
    const og = pageSummary(
      `<meta content='Tom &amp; Jerry' property="og:title"><meta property=og:image content="/i.jpg"><title>ignored</title><meta name="description" content="desc &#233;">`,
    );
    expect(og).toEqual({ title: 'Tom & Jerry', description: 'desc é', image: '/i.jpg' });
    expect(pageSummary('<html><head><title> Plain page </title></head></html>')).toEqual({ title: 'Plain page', description: null, image: null });
  });
});

describe('vCards', () => {
  it('writes WhatsApp-style cards that read back the same, escaping what vCard needs', () => {
    const card = { name: 'Souza, Ana; Jr', phones: ['5511988887777', '5511977776666'], org: 'Acme', email: 'ana@example.com' };
    const vcard = toVCard(card);
    expect(vcard).toContain('TEL;type=CELL;type=VOICE;waid=5511988887777:+5511988887777');
    expect(readVCard(vcard)).toEqual({ name: 'Souza, Ana; Jr', phones: ['5511988887777', '5511977776666'], org: 'Acme', email: 'ana@example.com' });
    expect(cardsDisplayName([card])).toBe('Souza, Ana; Jr');
    expect(cardsDisplayName([card, card])).toBe('2 contacts');
  });
});

describe('poll tally', () => {
  const raw = { send: { content: { type: 'poll', question: 'Q?', options: ['A', 'B'], selectableCount: 1, messageSecret: 'x' } } };
  it('lists each option with its voters; withdrawn votes do not count', () => {
    const tally = pollTallyOf({
      raw,
      pollVotes: { 'b@s.whatsapp.net': { options: ['A'], at: 2 }, 'a@s.whatsapp.net': { options: ['A'], at: 1 }, 'c@s.whatsapp.net': { options: [], at: 3 } },
    });
    expect(tally).toEqual({
      question: 'Q?',
      multipleAnswers: false,
      options: [
        { name: 'A', votes: 2, voters: ['a@s.whatsapp.net', 'b@s.whatsapp.net'] },
        { name: 'B', votes: 0, voters: [] },
      ],
      totalVoters: 2,
    });
  });

  it('reads a received poll from WhatsApp’s JSON and hashes options as votes name them', () => {
    const received = { pollCreationMessage: { name: 'R?', options: [{ optionName: 'x' }, { optionName: 'y' }], selectableOptionsCount: 0 }, messageContextInfo: { messageSecret: 's' } };
    expect(pollTallyOf({ raw: received, pollVotes: null })).toMatchObject({ question: 'R?', multipleAnswers: true, totalVoters: 0 });
    expect(optionHash('x')).toBe('2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
    expect(pollTallyOf({ raw: { conversation: 'hi' }, pollVotes: null })).toBeNull();
  });
});
