import type { InstanceRuntimeEvents } from '../../../src/engine/instance-runtime.js';
import type { OutgoingContent, ReadKey, SendOptions, SendResult, StatusChange, StatusReason, InstanceStatus, WhatsAppLookup } from '../../../src/engine/engine-types.js';
import { TypedEmitter } from '../../../src/engine/typed-emitter.js';
import type { SupervisedRuntime } from '../../../src/engine/session-supervisor.js';

/** A runtime without sockets: records calls and "connects" after `connectDelayMs`. */
export class FakeRuntime extends TypedEmitter<InstanceRuntimeEvents> implements SupervisedRuntime {
  static live = 0;
  static maxLive = 0;
  calls: string[] = [];
  status: StatusChange = { status: 'created', reason: 'created', phone: null, jid: null, at: Date.now() };
  running = false;
  busyWith: string | null = null;
  closed = false;

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

  async logout(): Promise<void> {
    this.calls.push('logout');
    this.running = false;
    this.report('disconnected', 'logged_out');
  }

  async sendText(jid: string, _text: string, options: { messageId: string }): Promise<SendResult> {
    this.calls.push('send-text');
    return { messageId: options.messageId, jid };
  }

  sent: Array<{ jid: string; content: OutgoingContent; options: SendOptions }> = [];
  read: ReadKey[] = [];

  async send(jid: string, content: OutgoingContent, options: SendOptions): Promise<SendResult> {
    this.calls.push('send');
    this.sent.push({ jid, content, options });
    return { messageId: options.messageId, jid };
  }

  async readMessages(keys: ReadKey[]): Promise<void> {
    this.calls.push('read-messages');
    this.read.push(...keys);
  }

  async onWhatsApp(phone: string): Promise<WhatsAppLookup> {
    return { exists: true, jid: `${phone.replace(/\D/g, '')}@s.whatsapp.net` };
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
