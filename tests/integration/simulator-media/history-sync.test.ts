import { createHash } from 'node:crypto';
import {
  downloadAndProcessHistorySyncNotification,
  downloadHistory,
  processHistoryMessage,
  proto,
  type BaileysEventMap,
  type WAMessage,
} from '@whiskeysockets/baileys';
import processMessage from '@whiskeysockets/baileys/lib/Utils/process-message.js';
import {
  createHistorySyncNotifications,
  historyInputSchema,
  type HistoryInput,
} from '../../../src/simulator/media/history-sync.js';
import type { MediaServer } from '../../../src/simulator/media/media-server.js';
import { startTestMediaServer } from './media-fixtures.js';

const OWN = '5511900000000@s.whatsapp.net';
const ANA = '5511911111111@s.whatsapp.net';
const BRUNO = '5511922222222@s.whatsapp.net';
const CARLA = '5511933333333@s.whatsapp.net';
const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);

/** A phone's stored history, as the control route receives it. */
const phoneHistory = (): HistoryInput =>
  historyInputSchema.parse({
    contacts: [
      { phone: '5511911111111', name: 'Ana' },
      { phone: '+5511922222222', name: 'Bruno' },
      { phone: '5511933333333', name: 'Carla' },
    ],
    chats: [
      { phone: '5511911111111', unreadCount: 2, pinned: true },
      { phone: '5511922222222', name: 'Bruno (work)', archived: true, muted: true },
      { jid: '5511944444444@s.whatsapp.net', muteEndTime: 1_800_000_000, lastMessageTime: '2026-01-01T00:00:00Z' },
    ],
    messages: [
      { chatPhone: '5511911111111', id: 'ANA-1', fromMe: false, text: 'oi', timestamp: 1_767_000_000 },
      { chatPhone: '5511911111111', id: 'ANA-2', fromMe: true, text: 'tudo bem?', timestamp: 1_767_000_100 },
      { chatPhone: '5511911111111', id: 'ANA-3', fromMe: false, text: 'sim!', timestamp: '2025-12-01T09:30:00Z' },
      { chatPhone: '5511922222222', id: 'BRU-1', fromMe: true, text: 'reunião amanhã', timestamp: 1_766_000_000 },
    ],
  });

/** The protocol message as the device decodes it from the phone's Signal message. */
const overTheWire = (message: proto.IMessage) => proto.Message.decode(proto.Message.encode(message).finish());

describe('history sync for a freshly paired device', () => {
  let server: MediaServer;
  beforeAll(async () => {
    server = await startTestMediaServer();
  });
  afterAll(async () => {
    await server.close();
  });

  const notifications = async (input = phoneHistory(), inlinePayload?: boolean) =>
    (
      await createHistorySyncNotifications(input, {
        store: server,
        now: () => NOW,
        lidForPhone: (phone) => (phone === '5511911111111' ? '90011111111@lid' : undefined),
        ...(inlinePayload === undefined ? {} : { inlinePayload }),
      })
    ).map(overTheWire);

  it('sends a bootstrap notification then a push-name notification', async () => {
    const [bootstrap, pushNames, ...rest] = await notifications();

    expect(rest).toHaveLength(0);
    expect(bootstrap!.protocolMessage?.type).toBe(proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION);
    expect(bootstrap!.protocolMessage?.historySyncNotification?.syncType).toBe(
      proto.Message.HistorySyncType.INITIAL_BOOTSTRAP,
    );
    expect(pushNames!.protocolMessage?.historySyncNotification?.syncType).toBe(proto.Message.HistorySyncType.PUSH_NAME);
  });

  it("decodes with Baileys' downloadAndProcessHistorySyncNotification into the chats, messages and contacts put in", async () => {
    const [bootstrap, pushNames] = await notifications();

    const history = await downloadAndProcessHistorySyncNotification(
      bootstrap!.protocolMessage!.historySyncNotification!,
      {},
    );
    const names = await downloadAndProcessHistorySyncNotification(pushNames!.protocolMessage!.historySyncNotification!, {});

    expect(history.chats.map((c) => c.id)).toEqual([ANA, BRUNO, '5511944444444@s.whatsapp.net']);
    const [ana, bruno, other] = history.chats;
    expect(ana).toMatchObject({ unreadCount: 2, pinned: Math.floor(NOW / 1000), name: 'Ana', lidJid: '90011111111@lid' });
    expect(Number(ana!.conversationTimestamp)).toBe(1_767_000_100);
    expect(ana!.lastMessageRecvTimestamp).toBe(1_767_000_000);
    expect(bruno).toMatchObject({ archived: true, name: 'Bruno (work)' });
    expect(Number(bruno!.muteEndTime)).toBeGreaterThan(NOW / 1000);
    expect(Number(other!.muteEndTime)).toBe(1_800_000_000);
    expect(Number(other!.conversationTimestamp)).toBe(Date.parse('2026-01-01T00:00:00Z') / 1000);

    const byId = new Map(history.messages.map((m) => [m.key.id, m]));
    expect([...byId.keys()].sort()).toEqual(['ANA-1', 'ANA-2', 'ANA-3', 'BRU-1']);
    expect(byId.get('ANA-2')).toMatchObject({ key: { remoteJid: ANA, fromMe: true }, message: { conversation: 'tudo bem?' } });
    expect(byId.get('ANA-1')).toMatchObject({ key: { remoteJid: ANA, fromMe: false }, message: { conversation: 'oi' }, pushName: 'Ana' });
    expect(Number(byId.get('ANA-3')!.messageTimestamp)).toBe(Date.parse('2025-12-01T09:30:00Z') / 1000);
    expect(byId.get('BRU-1')!.message?.conversation).toBe('reunião amanhã');

    expect(history.contacts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: ANA, name: 'Ana', lid: '90011111111@lid' }),
        expect.objectContaining({ id: BRUNO, name: 'Bruno (work)' }),
      ]),
    );
    expect(history.lidPnMappings).toEqual(expect.arrayContaining([{ lid: '90011111111@lid', pn: ANA }]));
    expect(names.contacts).toEqual([
      { id: ANA, notify: 'Ana' },
      { id: BRUNO, notify: 'Bruno' },
      { id: CARLA, notify: 'Carla' },
    ]);
  });

  it('stores the encrypted payload on the media server, where downloadHistory finds it', async () => {
    const [bootstrap] = await notifications(phoneHistory(), false);
    const notification = bootstrap!.protocolMessage!.historySyncNotification!;
    const blob = server.getUpload(notification.directPath!)!;

    // The notification names no host (Baileys would use mmg.whatsapp.net), so hand it the simulator's.
    const sync = await downloadHistory({ ...notification, url: `${server.origin}${notification.directPath}` } as never, {});
    const history = processHistoryMessage(sync);

    expect(notification.initialHistBootstrapInlinePayload ?? undefined).toBeUndefined();
    expect(blob.pathType).toBe('md-msg-hist');
    expect(createHash('sha256').update(blob.data).digest().equals(Buffer.from(notification.fileEncSha256!))).toBe(true);
    expect(history.chats.map((c) => c.id)).toEqual([ANA, BRUNO, '5511944444444@s.whatsapp.net']);
    expect(history.messages.map((m) => m.key.id).sort()).toEqual(['ANA-1', 'ANA-2', 'ANA-3', 'BRU-1']);
  });

  describe("through Baileys' message processing", () => {
    const processAs = async (key: WAMessage['key'], message: proto.IMessage) => {
      const emitted: Array<[keyof BaileysEventMap, unknown]> = [];
      await processMessage({ key, message, messageTimestamp: NOW / 1000 } as WAMessage, {
        shouldProcessHistoryMsg: true,
        creds: { me: { id: '5511900000000:3@s.whatsapp.net' }, processedHistoryMessages: [] } as never,
        ev: { emit: (event: keyof BaileysEventMap, data: unknown) => emitted.push([event, data]) } as never,
        keyStore: { get: async () => ({}), set: async () => undefined } as never,
        signalRepository: {
          lidMapping: { storeLIDPNMappings: async () => undefined, getLIDForPN: async () => null },
        } as never,
        options: {},
        getMessage: async () => undefined,
      });
      return emitted;
    };

    it('emits messaging-history.set when the phone sends it from the own account', async () => {
      const [bootstrap] = await notifications();

      const emitted = await processAs({ remoteJid: OWN, fromMe: true, id: '3EB0HIST' }, bootstrap!);
      const set = emitted.find(([event]) => event === 'messaging-history.set')?.[1] as
        | BaileysEventMap['messaging-history.set']
        | undefined;

      expect(set?.isLatest).toBe(true);
      expect(set?.chats).toHaveLength(3);
      expect(set?.messages).toHaveLength(4);
      expect(set?.syncType).toBe(proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP);
    });

    it('is dropped when it comes from anyone else', async () => {
      const [bootstrap] = await notifications();

      const emitted = await processAs({ remoteJid: ANA, fromMe: false, id: '3EB0SPOOF' }, bootstrap!);

      expect(emitted.map(([event]) => event)).not.toContain('messaging-history.set');
    });
  });

  it('still sends an (empty) bootstrap for a phone without history', async () => {
    const [bootstrap, ...rest] = await notifications(historyInputSchema.parse({}));

    const history = await downloadAndProcessHistorySyncNotification(bootstrap!.protocolMessage!.historySyncNotification!, {});

    expect(rest).toHaveLength(0);
    expect(history).toMatchObject({ chats: [], messages: [], contacts: [] });
  });

  it('rejects history input that names no chat', () => {
    expect(historyInputSchema.safeParse({ chats: [{ name: 'nobody' }] }).success).toBe(false);
    expect(historyInputSchema.safeParse({ messages: [{ fromMe: true, text: 'x', timestamp: 1 }] }).success).toBe(false);
    expect(historyInputSchema.safeParse({ contacts: [{ phone: 'abc', name: 'x' }] }).success).toBe(false);
    expect(historyInputSchema.safeParse({ chats: [{ jid: 'x@g.us' }] }).success).toBe(false);
  });
});
