import { jidDecode, type BinaryNode } from '@whiskeysockets/baileys';
import type { LinkedDevice } from '../state/accounts.js';
import { iqAnswers } from './iq-answers.js';
import { readAppStatePatches } from './app-state.js';
import { children, findChild } from './pairing.js';
import { bundleNode, type PreKeyBundle } from '../signal/signal-party.js';
import type { SimulatorContext } from '../state/simulator-state.js';
import { answerUsync } from './usync.js';

const { result, error: errorResult } = iqAnswers('s.whatsapp.net');

const uint = (node: BinaryNode | undefined): number => (node?.content instanceof Uint8Array ? Buffer.from(node.content).readUIntBE(0, node.content.length) : 0);
const bytes = (node: BinaryNode | undefined): Buffer => (node?.content instanceof Uint8Array ? Buffer.from(node.content) : Buffer.alloc(0));

/**
 * Answers the iqs a logged-in companion sends, the way WhatsApp answers them. Unknown iqs get an
 * empty result (logged), which is what Baileys tolerates everywhere.
 */
export function answerIq(ctx: SimulatorContext, device: LinkedDevice | undefined, iq: BinaryNode): BinaryNode {
  const xmlns = iq.attrs.xmlns;
  const first = Array.isArray(iq.content) ? iq.content[0] : undefined;
  const child = first?.tag;
  if (!device) return errorResult(iq, 401, 'not-authorized');
  switch (xmlns) {
    case 'encrypt':
      return answerEncrypt(ctx, device, iq, first);
    case 'usync':
      return answerUsync(ctx.state, device, iq);
    case 'w:g2':
      return ctx.groups ? ctx.groups.answerIq(device, iq) : result(iq);
    case 'passive':
    case 'w:p':
    case 'w:stats':
    case 'urn:xmpp:ping':
      return result(iq);
    case 'abt':
      return result(iq, [{ tag: 'props', attrs: { protocol: '1', hash: 'sim' } }]);
    case 'w:profile:picture':
    case 'status':
    case 'w:biz':
    case 'blocklist':
      return ctx.profiles ? ctx.profiles.answerIq(device, iq) : result(iq, xmlns === 'blocklist' ? [{ tag: 'list', attrs: {} }] : undefined);
    case 'privacy':
      if (child === 'privacy') {
        const categories = ['last', 'online', 'profile', 'status', 'groupadd', 'readreceipts', 'calladd'].map((name) => ({
          tag: 'category',
          attrs: { name, value: name === 'readreceipts' ? 'all' : name === 'online' ? 'all' : 'contacts' },
        }));
        return result(iq, [{ tag: 'privacy', attrs: {}, content: categories }]);
      }
      return result(iq);
    case 'w:m':
      if (child === 'media_conn' && ctx.media) return result(iq, [ctx.media.mediaConnNode()]);
      if (child === 'media_conn') {
        return result(iq, [
          { tag: 'media_conn', attrs: { auth: 'sim', ttl: '3600', auth_ttl: '3600', max_buckets: '1' }, content: [{ tag: 'host', attrs: { hostname: 'mmg.whatsapp.net', maxContentLengthBytes: '104857600' } }] },
        ]);
      }
      return result(iq);
    case 'w:sync:app:state': {
      const uploads = children(findChild(iq, 'sync'), 'collection').some((c) => children(c, 'patch').length > 0);
      if (uploads) {
        // a patch upload (resync queries are type=set too, without patches): the server keeps no collections;
        // it takes what the simulator models (the push name)
        void readAppStatePatches(device.phone, iq)
          .then((effects) => {
            if (effects.pushName) device.phone.name = effects.pushName;
          })
          .catch((err) => ctx.logger.warn({ err, jid: device.jid }, 'could not read an app-state patch'));
      }
      // empty app state: every collection answered at its version without patches. An empty <sync/>
      // would make Baileys' resyncAppState ask again forever.
      const collections = children(findChild(iq, 'sync'), 'collection').map((c) => ({
        tag: 'collection',
        attrs: { name: c.attrs.name ?? '', version: c.attrs.version ?? '0' },
      }));
      return result(iq, [{ tag: 'sync', attrs: {}, content: collections }]);
    }
    case 'md':
      if (child === 'remove-companion-device') {
        const phone = device.phone;
        phone.devices.delete(device.id);
        phone.removedDevices.add(device.id);
        ctx.logger.info({ jid: device.jid }, 'device logged out by itself');
      }
      return result(iq);
    default:
      ctx.logger.debug({ xmlns, child, type: iq.attrs.type }, 'unknown iq answered with an empty result');
      return result(iq);
  }
}

function answerEncrypt(ctx: SimulatorContext, device: LinkedDevice, iq: BinaryNode, first: BinaryNode | undefined): BinaryNode {
  switch (first?.tag) {
    case 'count':
      return result(iq, [{ tag: 'count', attrs: { value: String(device.preKeys.size) } }]);
    case 'registration': {
      // prekey upload: [registration, type, identity, list > key*, skey]
      const preKeys = new Map<number, Buffer>();
      for (const key of children(findChild(iq, 'list'), 'key')) preKeys.set(uint(findChild(key, 'id')), bytes(findChild(key, 'value')));
      const skey = findChild(iq, 'skey');
      device.applyUpload({
        registrationId: uint(findChild(iq, 'registration')),
        identityKey: bytes(findChild(iq, 'identity')),
        signedPreKey: { keyId: uint(findChild(skey, 'id')), publicKey: bytes(findChild(skey, 'value')), signature: bytes(findChild(skey, 'signature')) },
        preKeys,
      });
      ctx.logger.debug({ jid: device.jid, count: preKeys.size }, 'prekeys uploaded');
      return result(iq);
    }
    case 'rotate': {
      const skey = findChild(first, 'skey');
      if (device.signedPreKey && skey) {
        device.signedPreKey = { keyId: uint(findChild(skey, 'id')), publicKey: bytes(findChild(skey, 'value')), signature: bytes(findChild(skey, 'signature')) };
      }
      return result(iq);
    }
    case 'digest':
      return result(iq, [
        {
          tag: 'digest',
          attrs: {},
          content: [
            { tag: 'type', attrs: {}, content: Buffer.from([5]) },
            { tag: 'identity', attrs: {}, content: device.identityKey ?? Buffer.alloc(32) },
          ],
        },
      ]);
    case 'key': {
      const users = children(first, 'user').map((user) => {
        const jid = user.attrs.jid ?? '';
        const bundle = findBundle(ctx, jid);
        return bundle
          ? bundleNode(jid, bundle)
          : { tag: 'user', attrs: { jid }, content: [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }] };
      });
      return result(iq, [{ tag: 'list', attrs: {}, content: users }]);
    }
    default:
      return result(iq);
  }
}

/** The prekey bundle for a device jid: a contact, a phone's device 0, or a linked companion. */
export function findBundle(ctx: SimulatorContext, jid: string): PreKeyBundle | undefined {
  const decoded = jidDecode(jid);
  if (!decoded?.user) return undefined;
  const account = ctx.state.resolve(decoded.user, decoded.server);
  const deviceId = decoded.device ?? 0;
  if (!account) return undefined;
  if (account.kind === 'contact') return deviceId === 0 ? account.contact.party.takeBundle() : undefined;
  if (deviceId === 0) return account.phone.party.takeBundle();
  return account.phone.devices.get(deviceId)?.takeBundle();
}
