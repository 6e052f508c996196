import type { Redis } from 'ioredis';
import pino from 'pino';
import { EngineControl } from '../../src/engine/engine-control.js';
import { downloadMessageMedia, mediaInfoOf } from '../../src/engine/media-download.js';
import { SessionSupervisor } from '../../src/engine/session-supervisor.js';
import { FakeRuntime } from './support/fake-runtime.js';
import { connectRedis, deleteUnder, uniquePrefix } from './support/redis.js';

const prefix = uniquePrefix('engine-send');
const logger = pino({ level: 'silent' });
let redis: Redis;
const supervisors: SessionSupervisor[] = [];

function node(nodeId: string, runnable: string[], runtimes: Map<string, FakeRuntime>): SessionSupervisor {
  const supervisor = new SessionSupervisor({
    nodeId,
    redis,
    keyPrefix: prefix,
    logger,
    directory: { listRunnable: async () => runnable.map((id) => ({ id })) },
    sink: { onStatus() {}, onEvent() {} },
    createRuntime: (id) => {
      const runtime = new FakeRuntime(id);
      runtimes.set(id, runtime);
      return runtime;
    },
    leaseTtlMs: 1000,
    syncIntervalMs: 200,
    restoreJitterMs: 1,
    commandTimeoutMs: 3000,
  });
  supervisors.push(supervisor);
  return supervisor;
}

beforeAll(() => {
  redis = connectRedis();
});
afterAll(async () => {
  await Promise.all(supervisors.map((s) => s.close()));
  await deleteUnder(redis, prefix);
  redis.disconnect();
});

describe('engine: general send and read receipts', () => {
  it('send and read-messages run on the owning node, with content, quoted message and mentions intact', async () => {
    const ownerRuntimes = new Map<string, FakeRuntime>();
    const owner = node('send-owner', ['inst-send'], ownerRuntimes);
    await owner.start();
    const other = node('send-other', [], new Map());
    await other.start();
    expect(await owner.owner('inst-send')).toBe('send-owner');

    const control = new EngineControl(other);
    const content = { type: 'media' as const, mediaType: 'document' as const, dataBase64: Buffer.from('%PDF').toString('base64'), mimetype: 'application/pdf', fileName: 'a.pdf', caption: 'doc' };
    const quoted = { key: { id: 'Q1', remoteJid: '5511999990001@s.whatsapp.net', fromMe: false }, message: { conversation: 'question' } };
    const result = await control.send('inst-send', '5511999990001@s.whatsapp.net', content, {
      messageId: '3EB0FIXEDID',
      quoted,
      mentions: ['5511999990002@s.whatsapp.net'],
    });
    expect(result).toEqual({ messageId: '3EB0FIXEDID', jid: '5511999990001@s.whatsapp.net' });
    const runtime = ownerRuntimes.get('inst-send')!;
    expect(runtime.sent).toEqual([
      {
        jid: '5511999990001@s.whatsapp.net',
        content,
        options: { messageId: '3EB0FIXEDID', quoted, mentions: ['5511999990002@s.whatsapp.net'] },
      },
    ]);

    await control.readMessages('inst-send', [{ id: 'IN1', remoteJid: '5511999990001@s.whatsapp.net' }]);
    expect(runtime.read).toEqual([{ id: 'IN1', remoteJid: '5511999990001@s.whatsapp.net' }]);
    await control.readMessages('inst-send', []); // nothing to send: no command
    expect(runtime.calls.filter((c) => c === 'read-messages')).toHaveLength(1);
  });
});

describe('engine: media of stored messages', () => {
  it('mediaInfoOf reads the media fields from the protobuf JSON, through wrappers', () => {
    const image = { imageMessage: { mimetype: 'image/png', fileLength: '68', caption: 'x', mediaKey: 'AAAA', directPath: '/x' } };
    expect(mediaInfoOf(image)).toEqual({ mediaType: 'image', mimetype: 'image/png', fileName: null, fileLength: 68, ptt: false });
    const voice = { ephemeralMessage: { message: { audioMessage: { mimetype: 'audio/ogg; codecs=opus', ptt: true } } } };
    expect(mediaInfoOf(voice)).toMatchObject({ mediaType: 'audio', ptt: true });
    const doc = { documentMessage: { mimetype: 'application/pdf', fileName: 'r.pdf' } };
    expect(mediaInfoOf(doc)).toMatchObject({ mediaType: 'document', fileName: 'r.pdf' });
    expect(mediaInfoOf({ conversation: 'hi' })).toBeNull();
    expect(mediaInfoOf(null)).toBeNull();
  });

  it('downloadMessageMedia refuses a message without media', async () => {
    await expect(downloadMessageMedia({ conversation: 'hi' })).rejects.toThrow('no media');
  });
});
