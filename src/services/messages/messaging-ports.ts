import type { OperationPayload, OperationResult, SocketOperationName } from '../../engine/socket-operations.js';
import type { JsonObject, OutgoingContent, PollVoteInput, PollVoteResult, ReadKey, SendOptions, SendResult, WhatsAppLookup } from '../../engine/engine-types.js';

/** What messaging needs from the engine (EngineControl satisfies it): commands routed to the owning node. */
export interface MessagingEngine {
  send(instanceId: string, jid: string, content: OutgoingContent, options: SendOptions): Promise<SendResult>;
  readMessages(instanceId: string, keys: ReadKey[]): Promise<void>;
  onWhatsApp(instanceId: string, phone: string): Promise<WhatsAppLookup>;
  decryptPollVote(instanceId: string, input: PollVoteInput): Promise<PollVoteResult | null>;
  /** Any socket operation by name (engine/socket-operations.ts): a new operation needs no new method here. */
  run<N extends SocketOperationName>(instanceId: string, name: N, payload: OperationPayload<N>): Promise<OperationResult<N>>;
}

/** Downloads and decrypts an inbound message's media from its stored JSON (the engine's downloadMessageMedia). */
export type MediaDownloader = (message: JsonObject, options: { maxBytes?: number; timeoutMs?: number }) => Promise<Buffer>;
