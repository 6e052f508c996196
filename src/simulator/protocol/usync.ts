import { jidDecode, type BinaryNode } from '@whiskeysockets/baileys';
import type { LinkedDevice } from '../state/accounts.js';
import { children, findChild } from './pairing.js';
import type { Account, SimulatorState } from '../state/simulator-state.js';
import { DEFAULT_ABOUT } from '../profiles/profiles.js';

/** Devices of an account as usync lists them: device 0 for everyone, plus key-indexed companions for a phone. */
function deviceList(account: Account): BinaryNode[] {
  const devices: BinaryNode[] = [{ tag: 'device', attrs: { id: '0' } }];
  if (account.kind === 'phone') {
    for (const device of account.phone.devices.values()) {
      devices.push({ tag: 'device', attrs: { id: String(device.id), 'key-index': String(device.id) } });
    }
  }
  return devices;
}

/** Answers `iq xmlns=usync` (devices, lid, contact, status protocols) for the asking device. */
export function answerUsync(state: SimulatorState, _asker: LinkedDevice | undefined, iq: BinaryNode): BinaryNode {
  const usync = findChild(iq, 'usync');
  const protocols = new Set(children(findChild(usync, 'query')).map((p) => p.tag));
  const users = children(findChild(usync, 'list'), 'user');
  const out: BinaryNode[] = [];
  for (const user of users) {
    let jid = user.attrs.jid;
    const contactNode = findChild(user, 'contact');
    if (!jid && typeof contactNode?.content === 'string') jid = `${contactNode.content.replace(/\D/g, '')}@s.whatsapp.net`;
    if (!jid && contactNode?.content instanceof Uint8Array) jid = `${Buffer.from(contactNode.content).toString().replace(/\D/g, '')}@s.whatsapp.net`;
    if (!jid) continue;
    const decoded = jidDecode(jid);
    if (!decoded?.user) continue;
    const account = state.resolve(decoded.user, decoded.server);
    const content: BinaryNode[] = [];
    if (protocols.has('devices')) {
      content.push({
        tag: 'devices',
        attrs: {},
        content: [{ tag: 'device-list', attrs: {}, content: account ? deviceList(account) : [] }],
      });
    }
    if (protocols.has('lid') && account && decoded.server !== 'lid') {
      const lid = account.kind === 'contact' ? account.contact.lidJid : account.phone.lidJid;
      content.push({ tag: 'lid', attrs: { val: lid } });
    }
    if (protocols.has('contact')) content.push({ tag: 'contact', attrs: { type: account ? 'in' : 'out' } });
    if (protocols.has('status')) {
      const number = account ? (account.kind === 'contact' ? account.contact.phone : account.phone.number) : undefined;
      const about = number ? state.profiles.find(number)?.about : undefined;
      content.push({ tag: 'status', attrs: { t: String(about?.t ?? 0) }, content: Buffer.from(about?.text ?? DEFAULT_ABOUT) });
    }
    out.push({ tag: 'user', attrs: { jid }, content });
  }
  return {
    tag: 'iq',
    attrs: { from: 's.whatsapp.net', type: 'result', id: iq.attrs.id! },
    content: [
      {
        tag: 'usync',
        attrs: { sid: usync?.attrs.sid ?? '', index: '0', last: 'true', mode: usync?.attrs.mode ?? 'query', context: usync?.attrs.context ?? 'message' },
        content: [
          { tag: 'result', attrs: {}, content: [...protocols].map((tag) => ({ tag, attrs: {} })) },
          { tag: 'list', attrs: {}, content: out },
        ],
      },
    ],
  };
}
