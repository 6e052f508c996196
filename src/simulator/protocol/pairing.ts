import { createHmac, randomBytes } from 'node:crypto';
import { proto, type BinaryNode } from '@whiskeysockets/baileys';
import { LinkedDevice, type Phone } from '../state/accounts.js';
import { SimulatorError } from '../errors.js';
import { sign, verify } from '../signal/keys.js';
import type { PairingTarget, SimulatorContext } from '../state/simulator-state.js';
import { iqAnswers } from './iq-answers.js';
import { normalizeLinkCode, parseCompanionHello, PrimaryLinkAttempt, type CompanionHello } from './link-code.js';

const { result, error: iqError } = iqAnswers('s.whatsapp.net');
const ACCOUNT_SIG_PREFIX = Buffer.from([6, 0]);
const DEVICE_SIG_PREFIX = Buffer.from([6, 1]);
/** WhatsApp gives 6 refs per QR cycle: the first lives 60 s, the others 20 s (the client rotates them). */
export const QR_REF_COUNT = 6;
const QR_CYCLE_MS = 60_000 + 5 * 20_000;
/** How long the phone waits for the companion's `companion_finish` after its `primary_hello`. */
const LINK_CODE_FINISH_MS = 20_000;

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
  private linkCode?: { hello: CompanionHello; ref: Buffer };
  private linkAttempt?: {
    phone: Phone;
    attempt: PrimaryLinkAttempt;
    done: (err: Error | undefined, linked?: { jid: string; lid: string }) => void;
  };

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
    if (Buffer.compare(Buffer.from(identityB64, 'base64'), Buffer.from(data.eIdent)) !== 0) {
      throw new SimulatorError('qr_mismatch', 400, 'QR identity key does not match the registration');
    }
    return this.pair(phone, advSecretB64);
  }

  /** Signs the ADV identity of the new device for `phone` and sends pair-success (QR and link code alike). */
  private pair(phone: Phone, advSecretB64: string): { jid: string; lid: string } {
    const data = this.payload.devicePairingData!;
    const identityKey = Buffer.from(data.eIdent!);
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

  /**
   * `iq md > link_code_companion_reg stage=companion_hello` (Baileys' requestPairingCode): remember the wrapped
   * companion key and which number it wants; answer with the ref. Nothing more happens until the person types
   * the code on that phone (typeLinkCode). A new hello replaces the previous one (a new code).
   */
  onLinkCodeIq(iq: BinaryNode, reg: BinaryNode): BinaryNode | undefined {
    const answer = (content?: BinaryNode[]): BinaryNode => result(iq, content);
    const error = (code: number, text: string): BinaryNode => iqError(iq, code, text);
    if (reg.attrs.stage === 'companion_hello') {
      let hello: CompanionHello;
      try {
        hello = parseCompanionHello(reg);
      } catch {
        return error(400, 'bad-request');
      }
      if (this.pairedDevice) return error(409, 'conflict');
      if (!hello.serverAuthKey.equals(this.conn.clientStatic)) return error(400, 'bad-request');
      if (this.ctx.state.phone(hello.phone)?.banned) return error(403, 'forbidden');
      const previous = this.linkCode?.hello.phone;
      if (previous && this.ctx.state.linkCodes.get(previous) === this) this.ctx.state.linkCodes.delete(previous);
      this.linkCode = { hello, ref: Buffer.from(`2@${randomBytes(30).toString('base64')}`) };
      this.ctx.state.linkCodes.set(hello.phone, this);
      return answer([{ tag: 'link_code_companion_reg', attrs: {}, content: [{ tag: 'link_code_pairing_ref', attrs: {}, content: this.linkCode.ref }] }]);
    }
    if (reg.attrs.stage === 'companion_finish') {
      const pending = this.linkAttempt;
      if (!pending || !this.linkCode) return error(404, 'item-not-found');
      this.linkAttempt = undefined;
      try {
        const advSecret = pending.attempt.finish(reg, Buffer.from(this.payload.devicePairingData?.eIdent ?? []));
        // the iq result goes out before pair-success, as Baileys awaits it and then sets creds.registered
        this.conn.sendNode(answer());
        pending.done(undefined, this.pair(pending.phone, advSecret));
        return undefined;
      } catch (err) {
        pending.done(err as Error);
        return error(400, 'bad-request');
      }
    }
    return error(400, 'bad-request');
  }

  /**
   * The person typed `code` under "Link with phone number" on `phone`: the phone sends `primary_hello`, waits for
   * the companion's key bundle and links the device. Rejects with `wrong_link_code` (the device stays unpaired and
   * may be typed again) when the bundle does not open.
   */
  typeLinkCode(phone: Phone, code: string): Promise<{ jid: string; lid: string }> {
    const link = this.linkCode;
    if (!link || this.pairedDevice) return Promise.reject(new SimulatorError('no_link_code', 404, 'no companion is waiting for a code'));
    if (this.linkAttempt) return Promise.reject(new SimulatorError('link_code_busy', 409, 'a code is being checked on this phone'));
    const attempt = new PrimaryLinkAttempt(normalizeLinkCode(code), phone.accountKey);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.linkAttempt?.attempt !== attempt) return;
        this.linkAttempt = undefined;
        reject(new SimulatorError('link_code_timeout', 504, 'the companion did not finish the link-code exchange'));
      }, LINK_CODE_FINISH_MS);
      timer.unref();
      this.linkAttempt = {
        phone,
        attempt,
        done: (err, linked) => {
          clearTimeout(timer);
          if (err) reject(err);
          else resolve(linked!);
        },
      };
      attempt
        .primaryHello(link.hello, link.ref)
        .then((child) =>
          this.conn.sendNode({
            tag: 'notification',
            attrs: { from: 's.whatsapp.net', type: 'link_code_companion_reg', id: this.conn.nextId(), t: String(Math.floor(Date.now() / 1000)) },
            content: [child],
          }),
        )
        .catch((err: Error) => this.linkAttempt?.done(err));
    });
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
    const phone = this.linkCode?.hello.phone;
    if (phone && this.ctx.state.linkCodes.get(phone) === this) this.ctx.state.linkCodes.delete(phone);
    this.linkAttempt?.done(new SimulatorError('no_link_code', 404, 'the companion went away'));
    this.linkAttempt = undefined;
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
