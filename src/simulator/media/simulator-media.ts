import type { BinaryNode, proto } from '@whiskeysockets/baileys';
import { pino, type Logger } from 'pino';
import { ensureCertificates } from './certificates.js';
import {
  buildContactMediaMessage,
  decryptMediaMessage,
  outgoingMediaFromInput,
  type ContactMediaInput,
  type DecryptedMediaMessage,
} from './media-crypto.js';
import { MediaServer } from './media-server.js';
import {
  createHistorySyncNotifications,
  type HistoryInput,
  type HistorySyncBuildOptions,
} from './history-sync.js';

export interface SimulatorMediaOptions {
  /** Where the CA and server certificate live (created once). Default `.sandbox/certs`. */
  certDir?: string;
  /** Media server address; default 127.0.0.1 (the certificate covers 127.0.0.1 and localhost only). */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  logger?: Logger;
}

/**
 * The simulator's media side in one object, shaped for the core: the `media_conn` answer, contact media out
 * (buildMessage) and in (decrypt), and the history-sync notifications of a new device. Functions are bound,
 * so they can be passed around on their own.
 */
export class SimulatorMedia {
  private closing: Promise<void> | undefined;

  private constructor(
    readonly server: MediaServer,
    /** Absolute path of the CA file clients must trust (NODE_EXTRA_CA_CERTS). */
    readonly caFile: string,
  ) {}

  static async start(options: SimulatorMediaOptions = {}): Promise<SimulatorMedia> {
    const logger = options.logger ?? pino({ level: 'silent' });
    const { caFile, certPem, keyPem } = await ensureCertificates(options.certDir ?? '.sandbox/certs');
    const server = new MediaServer({
      certPem,
      keyPem,
      logger: logger.child({ component: 'media-server' }),
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
    });
    await server.start();
    return new SimulatorMedia(server, caFile);
  }

  /** The child of the `iq result` answering `iq set xmlns=w:m > media_conn`. */
  readonly mediaConnNode = (): BinaryNode => {
    const { auth, ttl, hosts } = this.server.mediaConnInfo();
    return {
      tag: 'media_conn',
      attrs: { auth, ttl: String(ttl), auth_ttl: String(ttl), max_buckets: '12' },
      content: hosts.map(({ hostname, maxContentLengthBytes }) => ({
        tag: 'host',
        attrs: { hostname, maxContentLengthBytes: String(maxContentLengthBytes) },
      })),
    };
  };

  /** A contact's outgoing media (the control API's `media` field) as an encrypted, stored, ready-to-send message. */
  readonly buildMessage = (media: ContactMediaInput): Promise<proto.Message> =>
    buildContactMediaMessage(outgoingMediaFromInput(media), this.server);

  /** What a contact gets from a media message the device sent (fetched from the uploads, checked, decrypted). */
  readonly decrypt = (message: proto.IMessage): Promise<DecryptedMediaMessage> => decryptMediaMessage(message, this.server);

  /** The history-sync notifications the phone sends its freshly paired device, in order. */
  readonly historyNotifications = (input: HistoryInput, options: HistorySyncBuildOptions = {}): Promise<proto.Message[]> =>
    createHistorySyncNotifications(input, { ...options, store: this.server });

  /** Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.server.close();
    return this.closing;
  }
}
