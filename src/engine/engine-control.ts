import type { OutgoingContent, PairingCodeInfo, PollVoteInput, PollVoteResult, ReadKey, SendOptions, SendResult, WhatsAppLookup } from './engine-types.js';
import type { SessionSupervisor } from './session-supervisor.js';
import type { OperationPayload, OperationResult, SocketCommand, SocketOperationName } from './socket-operations.js';

/**
 * What the services layer calls to drive instances, on any node: every method is a command
 * routed to the owning node (or adopting the instance when nobody runs it). Structurally it
 * satisfies the services' `InstanceLifecycle` port (start, stop, logout) without the engine
 * importing a higher layer.
 */
export class EngineControl {
  constructor(private readonly supervisor: Pick<SessionSupervisor, 'command' | 'owner' | 'localStatus'>) {}

  /** A new instance: connect it (QR cycle), or reconnect it with its saved creds. */
  async start(instanceId: string): Promise<void> {
    await this.supervisor.command(instanceId, { type: 'start' });
  }

  /** Close the socket without logging out and give the instance up (its lease is released). */
  async stop(instanceId: string): Promise<void> {
    await this.supervisor.command(instanceId, { type: 'stop' });
  }

  /** Unlink from WhatsApp and wipe the auth state (API disconnect; DELETE before removing the row). */
  async logout(instanceId: string): Promise<void> {
    await this.supervisor.command(instanceId, { type: 'logout' });
  }

  /** Close and reopen with the saved creds (API and admin restart). */
  async restart(instanceId: string): Promise<void> {
    await this.supervisor.command(instanceId, { type: 'restart' });
  }

  /** A new cycle of QR codes (after `qr_expired`). */
  async regenerateQr(instanceId: string): Promise<void> {
    await this.supervisor.command(instanceId, { type: 'regenerate-qr' });
  }

  /** Pairing by phone code: a new cycle whose code the person types on the phone (`phone`: digits). */
  requestPairingCode(instanceId: string, phone: string): Promise<PairingCodeInfo> {
    return this.supervisor.command(instanceId, { type: 'pairing-code', phone });
  }

  /**
   * Runs a socket operation (socket-operations.ts) on the node that owns the instance, typed by its name. New
   * operations need nothing here: call `run(instanceId, 'their-name', payload)`, or add a one-line wrapper below.
   */
  run<N extends SocketOperationName>(instanceId: string, name: N, payload: OperationPayload<N>): Promise<OperationResult<N>> {
    return this.supervisor.command(instanceId, { type: name, ...payload } as SocketCommand) as Promise<OperationResult<N>>;
  }

  /** Sends any kind of message (quoted, with mentions) with the caller's fixed message id. */
  send(instanceId: string, jid: string, content: OutgoingContent, options: SendOptions): Promise<SendResult> {
    return this.run(instanceId, 'send', {
      jid,
      content,
      messageId: options.messageId,
      ...(options.quoted ? { quoted: options.quoted } : {}),
      ...(options.mentions?.length ? { mentions: options.mentions } : {}),
      ...(options.mentionsEveryone ? { mentionsEveryone: true } : {}),
    });
  }

  /** Sends read receipts for these (inbound) messages. */
  readMessages(instanceId: string, keys: ReadKey[]): Promise<void> {
    if (keys.length === 0) return Promise.resolve();
    return this.run(instanceId, 'read-messages', { keys });
  }

  /** Decrypts a poll vote (null when no form of the jids opens it). */
  decryptPollVote(instanceId: string, input: PollVoteInput): Promise<PollVoteResult | null> {
    return this.run(instanceId, 'decrypt-poll-vote', input);
  }

  onWhatsApp(instanceId: string, phone: string): Promise<WhatsAppLookup> {
    return this.run(instanceId, 'on-whatsapp', { phone });
  }

  /** The node running the instance's socket right now, or null. */
  owner(instanceId: string): Promise<string | null> {
    return this.supervisor.owner(instanceId);
  }
}
