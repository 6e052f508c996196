import { createHmac, randomBytes } from 'node:crypto';
import { proto, type BinaryNode } from '@whiskeysockets/baileys';
import { LinkedDevice, type Phone } from '../state/accounts.js';
import { SimulatorError } from '../errors.js';
import { sign, verify } from '../signal/keys.js';
import type { PairingTarget, SimulatorContext } from '../state/simulator-state.js';

const ACCOUNT_SIG_PREFIX = Buffer.from([6, 0]);
const DEVICE_SIG_PREFIX = Buffer.from([6, 1]);
/** WhatsApp gives 6 refs per QR cycle: the first lives 60 s, the others 20 s (the client rotates them). */
export const QR_REF_COUNT = 6;
const QR_CYCLE_MS = 60_000 + 5 * 20_000;

export interface PairingConnection {
  readonly clientStatic: Buffer;
  sendNode(node: BinaryNode): void;
  streamError(attrs: Record<string, string>, children?: BinaryNode[]): void;
  nextId(): string;
}

/** The registration half of a connection: shows QR refs, and when the phone scans, links a new device. */
export class PairingSession implements PairingTarget {
  private readonly refs: string[] = [];
  private timer?: NodeJS.Timeout;
  private pairedDevice?: LinkedDevice;
  private pairSuccessId?: string;

  constructor(
    private readonly ctx: SimulatorContext,
    private readonly conn: PairingConnection,
    private readonly payload: proto.ClientPayload,
  ) {}

  start(): void {
    for (let i = 0; i < QR_REF_COUNT; i++) {
      const ref = `2@${randomBytes(30).toString('base64')}`;
      this.refs.push(ref);
      this.ctx.state.qrRefs.set(ref, this);
    }
    this.conn.sendNode({
      tag: 'iq',
      attrs: { from: 's.whatsapp.net', type: 'set', id: this.conn.nextId(), xmlns: 'md' },
      content: [{ tag: 'pair-device', attrs: {}, content: this.refs.map((ref) => ({ tag: 'ref', attrs: {}, content: Buffer.from(ref) })) }],
    });
    // Baileys closes the socket itself (408) when it runs out of refs; this is the server's own limit.
    this.timer = setTimeout(() => this.conn.streamError({ code: '408' }), QR_CYCLE_MS + 5_000);
    this.timer.unref();
  }

  /** The phone scanned one of our QRs: sign the ADV identity and send pair-success. */
  scan(phone: Phone, noiseKeyB64: string, identityB64: string, advSecretB64: string): { jid: string; lid: string } {
    const data = this.payload.devicePairingData;
    if (this.pairedDevice) throw new SimulatorError('qr_already_scanned', 409, 'this QR was already scanned');
    if (!data?.eIdent || Buffer.compare(Buffer.from(noiseKeyB64, 'base64'), this.conn.clientStatic) !== 0) {
      throw new SimulatorError('qr_mismatch', 400, 'QR noise key does not match the connection');
    }
    const identityKey = Buffer.from(data.eIdent);
    if (Buffer.compare(Buffer.from(identityB64, 'base64'), identityKey) !== 0) {
      throw new SimulatorError('qr_mismatch', 400, 'QR identity key does not match the registration');
    }
    const device = new LinkedDevice(phone, phone.nextDeviceId++, this.conn.clientStatic);
    device.applyUpload({
      registrationId: Buffer.from(data.eRegid ?? []).readUInt32BE(0),
      identityKey,
      signedPreKey: {
        keyId: Buffer.from(data.eSkeyId ?? [0, 0, 0]).readUIntBE(0, 3),
        publicKey: Buffer.from(data.eSkeyVal ?? []),
        signature: Buffer.from(data.eSkeySig ?? []),
      },
      preKeys: new Map(),
    });
    const details = proto.ADVDeviceIdentity.encode({
      rawId: randomBytes(4).readUInt32BE(0),
      timestamp: Math.floor(Date.now() / 1000),
      keyIndex: device.id,
      accountType: proto.ADVEncryptionType.E2EE,
      deviceType: proto.ADVEncryptionType.E2EE,
    }).finish();
    const account = phone.accountKey;
    const signed = proto.ADVSignedDeviceIdentity.encode({
      details,
      accountSignatureKey: account.public,
      accountSignature: sign(account.private, Buffer.concat([ACCOUNT_SIG_PREFIX, details, identityKey])),
    }).finish();
    const hmac = createHmac('sha256', Buffer.from(advSecretB64, 'base64')).update(signed).digest();
    const identity = proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac }).finish();
    this.pairedDevice = device;
    this.pairSuccessId = this.conn.nextId();
    this.conn.sendNode({
      tag: 'iq',
      attrs: { from: 's.whatsapp.net', type: 'set', id: this.pairSuccessId, xmlns: 'md', t: String(Math.floor(Date.now() / 1000)) },
      content: [
        {
          tag: 'pair-success',
          attrs: {},
          content: [
            { tag: 'device-identity', attrs: {}, content: identity },
            { tag: 'platform', attrs: { name: 'smba' } },
            { tag: 'device', attrs: { jid: device.jid, lid: device.lidJid } },
          ],
        },
      ],
    });
    this.releaseRefs();
    return { jid: device.jid, lid: device.lidJid };
  }

  /** The client's `iq result` to pair-success carries its device signature: link it, then ask for a restart (515). */
  onResult(node: BinaryNode): boolean {
    if (!this.pairedDevice || node.attrs.id !== this.pairSuccessId) return false;
    const device = this.pairedDevice;
    const sign = findChild(findChild(node, 'pair-device-sign'), 'device-identity');
    if (sign?.content instanceof Uint8Array) {
      const account = proto.ADVSignedDeviceIdentity.decode(sign.content);
      const ok =
        !!account.deviceSignature &&
        !!account.details &&
        verify(
          device.identityKey!,
          Buffer.concat([DEVICE_SIG_PREFIX, account.details, device.identityKey!, device.phone.accountKey.public]),
          account.deviceSignature,
        );
      if (!ok) {
        this.ctx.logger.warn({ jid: device.jid }, 'device signature invalid; not linking');
        this.conn.streamError({ code: '401' });
        return true;
      }
    }
    const phone = device.phone;
    phone.devices.set(device.id, device);
    device.historyPending = true;
    this.ctx.logger.info({ jid: device.jid }, 'device linked');
    this.conn.streamError({ code: '515' });
    return true;
  }

  close(): void {
    clearTimeout(this.timer);
    this.releaseRefs();
  }

  private releaseRefs(): void {
    for (const ref of this.refs) if (this.ctx.state.qrRefs.get(ref) === this) this.ctx.state.qrRefs.delete(ref);
  }
}

export function findChild(node: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return Array.isArray(node?.content) ? node.content.find((c) => c.tag === tag) : undefined;
}

export function children(node: BinaryNode | undefined, tag?: string): BinaryNode[] {
  return Array.isArray(node?.content) ? node.content.filter((c) => !tag || c.tag === tag) : [];
}

/** Parses the QR string Baileys shows: `ref,noiseKeyB64,identityKeyB64,advSecretB64,platform`. */
export function parseQr(qr: string): { ref: string; noiseKey: string; identityKey: string; advSecret: string } {
  const body = qr.includes('#') ? qr.slice(qr.indexOf('#') + 1) : qr;
  const parts = body.split(',');
  if (parts.length < 4) throw new SimulatorError('invalid_qr', 400, 'QR must be ref,noiseKey,identityKey,advSecret[,platform]');
  // the ref itself may not contain commas; the keys are base64 without commas
  const [ref, noiseKey, identityKey, advSecret] = parts as [string, string, string, string];
  return { ref, noiseKey, identityKey, advSecret };
}
