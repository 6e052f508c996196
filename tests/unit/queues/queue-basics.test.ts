import { InvalidJobPayloadError, parseJobData } from '../../../src/queues/job-payloads.js';
import { QueueNaming } from '../../../src/queues/queue-naming.js';
import { NotConnectedError } from '../../../src/engine/engine-errors.js';
import { isNotConnectedError, PermanentSendError } from '../../../src/queues/send-errors.js';
import { sendBackoffMs, sendSettingsSchema } from '../../../src/queues/send-settings.js';

describe('QueueNaming', () => {
  it('derives the BullMQ prefix and the send lanes; an instance always hashes to the same lane', () => {
    const naming = new QueueNaming('zap');
    expect(naming.bullPrefix).toBe('zap:bull');
    expect(naming.sendLane(2)).toBe('send.s2');
    const lane = naming.laneOf('inst_abc-123', 4);
    expect(lane).toBe(new QueueNaming('other').laneOf('inst_abc-123', 4));
    expect(naming.sendQueueOf('inst_abc-123', 4)).toBe(`send.s${lane}`);
    const used = new Set(Array.from({ length: 200 }, (_, i) => naming.laneOf(`inst_${i}`, 4)));
    expect([...used].sort()).toEqual([0, 1, 2, 3]);
  });

  it('refuses names BullMQ would refuse', () => {
    expect(() => new QueueNaming('bad prefix')).toThrow();
    expect(() => new QueueNaming('zap').laneOf('inst:1', 4)).toThrow();
    expect(() => new QueueNaming('zap').sendLane(-1)).toThrow();
  });
});

describe('job payloads', () => {
  const valid = {
    instanceId: 'inst_abc',
    messageId: 'msg_1',
    waMessageId: '3EB0ABCDEF123456',
    to: '5511999999999@s.whatsapp.net',
    content: { type: 'text', text: 'hi' },
  };

  it('parses a send job and defaults the worker bookkeeping', () => {
    expect(parseJobData('send-message', valid)).toEqual({ ...valid, failures: 0 });
    const media = {
      ...valid,
      content: { type: 'media', mediaType: 'image', source: { kind: 'url', url: 'https://example.com/a.png' }, caption: 'c' },
      mentions: ['5511888888888@s.whatsapp.net'],
    };
    expect(parseJobData('send-message', media).content).toMatchObject({ type: 'media', mediaType: 'image' });
  });

  it.each([
    ['a phone instead of a JID', { to: '5511999999999' }, 'to'],
    ['a colon in the message id', { messageId: 'a:b' }, 'messageId'],
    ['an empty text', { content: { type: 'text', text: '' } }, 'content'],
    ['an unknown media type', { content: { type: 'media', mediaType: 'sticker', source: { kind: 'stored', key: 'k' } } }, 'content'],
    ['a file: media URL', { content: { type: 'media', mediaType: 'image', source: { kind: 'url', url: 'file:///etc/passwd' } } }, 'content'],
  ])('refuses %s', (_what, change, path) => {
    let caught: unknown;
    try {
      parseJobData('send-message', { ...valid, ...change });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidJobPayloadError);
    expect((caught as InvalidJobPayloadError).issues).toContain(path);
  });
});

describe('send errors and settings', () => {
  it("recognises the engine's NotConnectedError by its code (the queues do not import the engine)", () => {
    expect(isNotConnectedError(new NotConnectedError('inst_a'))).toBe(true);
    expect(isNotConnectedError(new PermanentSendError('media_too_large', 'too big'))).toBe(false);
    expect(isNotConnectedError({ code: 'instance_not_connected' })).toBe(false);
  });

  it('has sensible defaults and a capped full-jitter backoff', () => {
    const settings = sendSettingsSchema.parse({});
    expect(settings.rateLimit).toEqual({ max: 1, durationMs: 1000 });
    expect(settings.notConnectedMaxWaitMs).toBe(300_000);
    expect(sendBackoffMs(1, settings, () => 0.999_999)).toBe(1000);
    expect(sendBackoffMs(3, settings, () => 0.999_999)).toBe(4000);
    expect(sendBackoffMs(30, settings, () => 0.999_999)).toBe(60_000);
    expect(sendBackoffMs(3, settings, () => 0)).toBe(0);
    expect(sendSettingsSchema.parse({ rateLimit: null }).rateLimit).toBeNull();
  });
});
