import type { InstanceRuntimeEvents } from '../../../src/engine/runtime-types.js';
import type { OutgoingContent, ReadKey, SendOptions, StatusChange, StatusReason, InstanceStatus } from '../../../src/engine/engine-types.js';
import { TypedEmitter } from '../../../src/engine/typed-emitter.js';
import type { OperationPayload, OperationResult, SocketOperationName } from '../../../src/engine/socket-operations.js';
import type { SupervisedRuntime } from '../../../src/engine/supervised-runtime.js';

/** A runtime without sockets: records calls and "connects" after `connectDelayMs`. */
export class FakeRuntime extends TypedEmitter<InstanceRuntimeEvents> implements SupervisedRuntime {
  static live = 0;
  static maxLive = 0;
  calls: string[] = [];
  status: StatusChange = { status: 'created', reason: 'created', phone: null, jid: null, at: Date.now() };
  running = false;
  busyWith: string | null = null;
  closed = false;
  /** When set, every socket operation fails with it (e.g. the engine's BusyError). */
  runError: Error | null = null;

  constructor(readonly instanceId: string, private readonly connectDelayMs = 20) {
    super();
  }

  async start(): Promise<void> {
    this.calls.push('start');
    if (this.running) return;
    this.running = true;
    FakeRuntime.live += 1;
    FakeRuntime.maxLive = Math.max(FakeRuntime.maxLive, FakeRuntime.live);
    setTimeout(() => {
      FakeRuntime.live -= 1;
      if (this.running && !this.closed) this.report('connected', 'connected');
    }, this.connectDelayMs);
  }

  async restart(): Promise<void> {
    this.calls.push('restart');
    this.running = true;
    this.report('connected', 'connected');
  }

  async regenerateQr(): Promise<void> {
    this.calls.push('regenerate-qr');
    this.running = true;
  }

  async requestPairingCode(phone: string): Promise<{ code: string; expiresAt: number }> {
    this.calls.push('pairing-code');
    this.running = true;
    return { code: `${phone.slice(-4).padStart(4, '0')}-CODE`, expiresAt: Date.now() + 120_000 };
  }

  async logout(): Promise<void> {
    this.calls.push('logout');
    this.running = false;
    this.report('disconnected', 'logged_out');
  }

  sent: Array<{ jid: string; content: OutgoingContent; options: SendOptions }> = [];
  read: ReadKey[] = [];

  /** The socket operations, recorded by name (the real ones run on a Baileys socket; see socket-operations.ts). */
  async run<N extends SocketOperationName>(name: N, payload: OperationPayload<N>): Promise<OperationResult<N>> {
    this.calls.push(name);
    if (this.runError) throw this.runError;
    // Only the operations the supervisor tests use; the others (groups...) run against the simulator in e2e tests.
    const results: { [K in SocketOperationName]?: (p: OperationPayload<K>) => OperationResult<K> } = {
      send: (p) => {
        this.sent.push({ jid: p.jid, content: p.content, options: { messageId: p.messageId, quoted: p.quoted, mentions: p.mentions } });
        return { messageId: p.messageId, jid: p.jid };
      },
      'read-messages': (p) => {
        this.read.push(...p.keys);
      },
      'decrypt-poll-vote': () => null,
      'on-whatsapp': (p) => ({ exists: true, jid: `${p.phone.replace(/\D/g, '')}@s.whatsapp.net` }),
    };
    const fake = results[name] as ((p: OperationPayload<N>) => OperationResult<N>) | undefined;
    if (!fake) throw new Error(`the fake runtime does not play ${name}`);
    return fake(payload);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.calls.push('close');
    this.closed = true;
    this.running = false;
  }

  abandon(): void {
    this.calls.push('abandon');
    this.closed = true;
    this.running = false;
  }

  report(status: InstanceStatus, reason: StatusReason): void {
    this.status = { status, reason, phone: '+5511999990000', jid: null, at: Date.now() };
    this.emit('status', this.status);
  }
}
