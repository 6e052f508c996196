import { decodeBinaryNode, encodeBinaryNode, proto, type BinaryNode } from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { LinkedDevice, type KickReason } from '../state/accounts.js';
import { encodeFrame, FrameReader } from './frame-codec.js';
import { answerIq } from './iq-handlers.js';
import type { MessageRelay } from '../messaging/message-relay.js';
import { NoiseResponder, type NoiseTransport } from './noise-responder.js';
import { children, PairingSession } from './pairing.js';
import type { SimulatorContext } from '../state/simulator-state.js';
import { contactPresenceNode } from '../messaging/presence-nodes.js';
import { retryReceiptKey } from '../messaging/retry-receipts.js';

type Phase = 'hello' | 'finish' | 'open' | 'closed';

const now = (): string => String(Math.floor(Date.now() / 1000));

/** Stream errors per kick reason, as Baileys maps them (getErrorCodeFromStreamError). */
const KICKS: Record<Exclude<KickReason, 'network'>, { attrs: Record<string, string>; children?: BinaryNode[] }> = {
  logged_out: { attrs: { code: '401' }, children: [{ tag: 'conflict', attrs: { type: 'device_removed' } }] },
  banned: { attrs: { code: '403' } },
  replaced: { attrs: {}, children: [{ tag: 'conflict', attrs: { type: 'replaced' } }] },
  restart: { attrs: { code: '515' } },
  unavailable: { attrs: { code: '503' } },
};

/** One WebSocket from a client: Noise handshake, then registration (QR) or login, then stanzas. */
export class DeviceConnection {
  private readonly reader = new FrameReader();
  private noise?: NoiseResponder;
  private transport?: NoiseTransport;
  private phase: Phase = 'hello';
  private queue: Promise<void> = Promise.resolve();
  private pairing?: PairingSession;
  private idCounter = 0;
  private readonly log: Logger;
  clientStatic: Buffer = Buffer.alloc(0);
  device?: LinkedDevice;
  /**
   * Contacts this socket subscribed to (`presence type=subscribe`), with the jid it used (PN or LID: pushes come
   * from that jid); like WhatsApp, subscriptions end with the socket.
   */
  readonly presenceSubscriptions = new Map<string, string>();

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: SimulatorContext,
    private readonly relay: MessageRelay,
    private readonly onClose: (conn: DeviceConnection) => void,
  ) {
    this.log = ctx.logger.child({ conn: Math.random().toString(36).slice(2, 8) });
    ws.on('message', (data: Buffer) => this.onData(data));
    ws.on('close', () => this.closed());
    ws.on('error', (err) => this.log.debug({ err }, 'socket error'));
  }

  get connected(): boolean {
    return this.phase === 'open' && !!this.device;
  }

  nextId(): string {
    return `sim-${++this.idCounter}`;
  }

  sendNode(node: BinaryNode): void {
    if (this.phase !== 'open' || !this.transport || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(encodeFrame(this.transport.encrypt(encodeBinaryNode(node))));
  }

  /** Sends `<stream:error>` and closes, as WhatsApp does. */
  streamError(attrs: Record<string, string>, content?: BinaryNode[]): void {
    this.sendNode({ tag: 'stream:error', attrs, ...(content ? { content } : {}) });
    this.detach();
    setTimeout(() => this.ws.close(), 20).unref();
  }

  kick(reason: KickReason): void {
    this.log.info({ reason, jid: this.device?.jid }, 'kick');
    if (reason === 'network') {
      this.detach();
      this.ws.terminate();
      return;
    }
    const device = this.device;
    if (reason === 'logged_out' && device) {
      device.phone.devices.delete(device.id);
      device.phone.removedDevices.add(device.id);
    }
    if (reason === 'banned' && device) device.phone.banned = true;
    const kick = KICKS[reason];
    this.streamError(kick.attrs, kick.children);
  }

  close(): void {
    this.detach();
    this.ws.terminate();
  }

  private onData(data: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.reader.push(data);
    } catch (err) {
      this.log.debug({ err }, 'bad intro');
      this.close();
      return;
    }
    for (const frame of frames) {
      this.queue = this.queue
        .then(() => this.handleFrame(frame))
        .catch((err) => {
          this.log.warn({ err }, 'closing connection after a frame error');
          this.close();
        });
    }
  }

  private async handleFrame(frame: Buffer): Promise<void> {
    switch (this.phase) {
      case 'hello':
        this.noise = new NoiseResponder(this.ctx.identity, this.reader.header!);
        this.ws.send(encodeFrame(this.noise.respondToHello(frame)));
        this.phase = 'finish';
        return;
      case 'finish': {
        const { clientStatic, payload, transport } = this.noise!.finish(frame);
        this.clientStatic = clientStatic;
        this.transport = transport;
        this.phase = 'open';
        this.onClientPayload(payload);
        return;
      }
      case 'open': {
        const node = await decodeBinaryNode(this.transport!.decrypt(frame));
        await this.onNode(node);
        return;
      }
      default:
        return;
    }
  }

  private onClientPayload(payload: proto.ClientPayload): void {
    if (payload.devicePairingData) {
      this.pairing = new PairingSession(this.ctx, this, payload);
      this.pairing.start();
      return;
    }
    const number = payload.username?.toString();
    if (!number) {
      this.sendNode({ tag: 'failure', attrs: { reason: '400', location: 'sim' } });
      this.close();
      return;
    }
    const deviceId = payload.device ?? 0;
    const phone = this.ctx.state.getOrCreatePhone(number);
    const refuse = (reason: string): void => {
      this.sendNode({ tag: 'failure', attrs: { reason, location: 'sim' } });
      setTimeout(() => this.ws.close(), 20).unref();
    };
    if (phone.banned) return refuse('403');
    if (phone.removedDevices.has(deviceId)) return refuse('401');
    let device = phone.devices.get(deviceId);
    if (!device) {
      // e.g. the simulator restarted: adopt the device; it re-uploads its prekeys (count is 0)
      device = new LinkedDevice(phone, deviceId, this.clientStatic);
      phone.devices.set(deviceId, device);
      phone.nextDeviceId = Math.max(phone.nextDeviceId, deviceId + 1);
      this.log.info({ jid: device.jid }, 'adopted an unknown device at login');
    } else if (!device.noiseKey.equals(this.clientStatic)) {
      return refuse('401');
    }
    const previous = device.connection;
    if (previous && previous !== this && previous.connected) previous.kick('replaced');
    device.connection = this;
    device.platform = payload.userAgent?.device ?? undefined;
    this.device = device;
    this.sendNode({
      tag: 'success',
      attrs: { t: now(), props: '1', abprops: '1', location: 'sim', creation: now(), lid: device.lidJid },
    });
    void this.relay
      .flushPending(device, (node) => this.sendNode(node))
      .then((count) => {
        this.sendNode({ tag: 'ib', attrs: { from: 's.whatsapp.net' }, content: [{ tag: 'offline', attrs: { count: String(count) } }] });
        return this.relay.sendHistory(device);
      })
      .catch((err) => this.log.warn({ err, jid: device.jid }, 'post-login delivery failed'));
    this.log.debug({ jid: device.jid }, 'logged in');
  }

  private async onNode(node: BinaryNode): Promise<void> {
    switch (node.tag) {
      case 'iq':
        return this.onIq(node);
      case 'message':
        if (this.device) {
          const device = this.device;
          // handled concurrently so one slow decrypt does not hold the socket; acks follow each message
          void this.relay.onDeviceMessage(device, node, (n) => this.sendNode(n)).catch((err) => this.log.warn({ err }, 'message relay failed'));
        }
        return;
      case 'receipt':
        this.onReceipt(node);
        return;
      case 'chatstate':
      case 'presence':
        this.onPresence(node);
        return;
      case 'ack':
        if ((node.attrs.class === 'message' || node.attrs.class === 'notification') && node.attrs.id) this.device?.settle(node.attrs.id);
        if (node.attrs.class === 'receipt' && node.attrs.id) this.device?.settle(retryReceiptKey(node.attrs.id));
        return;
      default:
        return; // ib (unified_session) and friends need no answer
    }
  }

  private async onIq(node: BinaryNode): Promise<void> {
    const type = node.attrs.type;
    if (type === 'result' || type === 'error') {
      this.pairing?.onResult(node);
      return;
    }
    const linkCode = node.attrs.xmlns === 'md' ? children(node, 'link_code_companion_reg')[0] : undefined;
    if (linkCode) {
      const answer = this.pairing ? this.pairing.onLinkCodeIq(node, linkCode) : undefined;
      if (answer) this.sendNode(answer);
      else if (!this.pairing) this.sendNode({ tag: 'iq', attrs: { from: 's.whatsapp.net', type: 'error', id: node.attrs.id! }, content: [{ tag: 'error', attrs: { code: '409', text: 'conflict' } }] });
      return;
    }
    const delayMs = this.device?.phone.faults.iqDelayMs;
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    this.sendNode(answerIq(this.ctx, this.device, node));
  }

  private onReceipt(node: BinaryNode): void {
    const { id, to, type } = node.attrs;
    if (!id) return;
    this.sendNode({ tag: 'ack', attrs: { class: 'receipt', id, ...(to ? { from: to } : {}), ...(type ? { type } : {}) } });
    const ids = [id, ...children(children(node, 'list')[0], 'item').map((item) => item.attrs.id ?? '')];
    for (const rid of ids) this.device?.settle(rid);
    if (type === 'retry' && this.device) {
      void this.relay.onRetryReceipt(this.device, node).catch((err: unknown) => this.log.warn({ err, id }, 'answering a retry receipt failed'));
      return;
    }
    // a group message's receipt goes to the group, naming its sender in `participant`
    const sender = to?.endsWith('@g.us') ? node.attrs.participant : to;
    const contact = sender ? this.contactFor(sender) : undefined;
    if (!contact || !this.device) return;
    for (const rid of ids) contact.receiptsIn.push({ id: rid, from: this.device.phone.number, type: type ?? 'delivery', timestamp: Date.now() });
  }

  /**
   * `presence{name, type: available|unavailable}` (no `to`): the account's own online state. `presence{to, type:
   * subscribe}` (presenceSubscribe): WhatsApp answers at once with the contact's current presence and keeps pushing
   * its changes to this socket. `chatstate{to} > composing|paused` (recording = composing media=audio): to the contact.
   */
  private onPresence(node: BinaryNode): void {
    const device = this.device;
    if (!device) return;
    const { to, type } = node.attrs;
    if (node.tag === 'presence' && !to && (type === 'available' || type === 'unavailable')) {
      device.phone.presenceLog.push({ device: device.jid, state: type, ...(node.attrs.name ? { name: node.attrs.name } : {}), timestamp: Date.now() });
      return;
    }
    const contact = to ? this.contactFor(to) : undefined;
    if (!contact) return;
    if (node.tag === 'presence' && type === 'subscribe') {
      this.presenceSubscriptions.set(contact.phone, to!.replace(/:\d+@/, '@'));
      this.sendNode(contactPresenceNode(contact, to!));
      return;
    }
    const child = Array.isArray(node.content) ? node.content[0] : undefined;
    const state = child ? (child.attrs.media === 'audio' ? 'recording' : child.tag) : (type ?? 'available');
    contact.presenceIn.push({ from: device.phone.number, state, timestamp: Date.now() });
  }

  private contactFor(jid: string) {
    const [userPart, server] = jid.split('@');
    const user = userPart?.split(':')[0] ?? '';
    const account = this.ctx.state.resolve(user, server ?? '');
    return account?.kind === 'contact' ? account.contact : undefined;
  }

  /** Stops being the device's live connection (kicked, errored or closed). */
  private detach(): void {
    this.pairing?.close();
    if (this.device?.connection === this) {
      this.device.connection = undefined;
      this.device.lastSeen = Date.now();
      this.device.requeueInflight();
    }
  }

  private closed(): void {
    this.detach();
    this.phase = 'closed';
    this.onClose(this);
  }
}
