import { createHash, randomBytes } from 'node:crypto';
import {
  decodeBinaryNode,
  downloadMediaMessage,
  encodeBinaryNode,
  getBinaryNodeChild,
  getBinaryNodeChildren,
  proto,
} from '@whiskeysockets/baileys';
import { historyInputSchema } from '../../../src/simulator/media/history-sync.js';
import type { SimulatorOptions } from '../../../src/simulator/index.js';
import { SimulatorMedia } from '../../../src/simulator/media/simulator-media.js';
import { SANDBOX_CERT_DIR } from './media-fixtures.js';
import { resolve } from 'node:path';

describe('SimulatorMedia (what the core wires in)', () => {
  let media: SimulatorMedia;
  beforeAll(async () => {
    media = await SimulatorMedia.start({ certDir: SANDBOX_CERT_DIR });
  });
  afterAll(async () => {
    await media.close();
    await media.close();
  });

  it('fits startSimulator({ media })', () => {
    const hooks: SimulatorOptions['media'] = media;

    expect(hooks).toBe(media);
  });

  it('answers media_conn with a node Baileys reads as its media host', async () => {
    const iq = { tag: 'iq', attrs: { type: 'result', id: '1' }, content: [media.mediaConnNode()] };

    // Through the binary codec, then parsed the way Socket/messages-send.js refreshMediaConn parses it.
    const decoded = await decodeBinaryNode(encodeBinaryNode(iq));
    const node = getBinaryNodeChild(decoded, 'media_conn')!;
    const hosts = getBinaryNodeChildren(node, 'host').map(({ attrs }) => ({
      hostname: attrs.hostname,
      maxContentLengthBytes: +attrs.maxContentLengthBytes!,
    }));

    expect(node.attrs.auth).toBe(media.server.mediaConnInfo().auth);
    expect(+node.attrs.ttl!).toBeGreaterThan(0);
    expect(hosts).toEqual([{ hostname: `127.0.0.1:${media.server.port}`, maxContentLengthBytes: 100 * 1024 * 1024 }]);
    expect(media.caFile).toBe(resolve(SANDBOX_CERT_DIR, 'ca.pem'));
  });

  it('builds a contact media message from the control API body that Baileys downloads', async () => {
    const data = randomBytes(4321);
    const build = media.buildMessage; // unbound on purpose

    const message = await build({ type: 'document', mimetype: 'text/csv', fileName: 'r.csv', dataBase64: data.toString('base64') });
    const downloaded = await downloadMediaMessage({ key: { id: 'A' }, message: proto.Message.decode(proto.Message.encode(message).finish()) }, 'buffer', {});

    expect(downloaded.equals(data)).toBe(true);
    expect(message.documentMessage).toMatchObject({ fileName: 'r.csv', mimetype: 'text/csv' });
  });

  it('decrypts what it stored, with the hash of the bytes', async () => {
    const data = randomBytes(100);
    const message = await media.buildMessage({ type: 'voice', dataBase64: data.toString('base64') });

    const received = await media.decrypt(message);

    expect(received.type).toBe('voice');
    expect(received.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(received.sha256Base64).toBe(createHash('sha256').update(data).digest('base64'));
  });

  it('makes history notifications stored on its server', async () => {
    const input = historyInputSchema.parse({ contacts: [{ phone: '5511911111111', name: 'Ana' }] });

    const [bootstrap, pushNames] = await media.historyNotifications(input);

    expect(media.server.getUpload(bootstrap!.protocolMessage!.historySyncNotification!.directPath!)).toBeDefined();
    expect(pushNames!.protocolMessage!.historySyncNotification!.syncType).toBe(proto.Message.HistorySyncType.PUSH_NAME);
  });
});
