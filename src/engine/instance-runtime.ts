import {
  jidDecode,
  jidNormalizedUser,
  makeWASocket,
  type AuthenticationState,
  type BinaryNode,
  type BaileysEventMap,
  type ConnectionState,
  type WASocket,
} from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import { backoffDelay } from './backoff.js';
import { createBaileysLogger } from './baileys-logger.js';
import { decideDisconnect } from './disconnect-policy.js';
import { AlreadyPairedError, NotConnectedError, RuntimeClosedError } from './engine-errors.js';
import { mapEngineEvent } from './event-mapping.js';
import { reportGroupsJoined } from './group-operations.js';
import { tapLidMappings } from './lid-mapping-tap.js';
import {
  ENGINE_EVENT_NAMES,
  type EngineEvent,
  type EngineEventName,
  type PairingCodeInfo,
  type StatusChange,
  type StatusReason,
  type InstanceStatus,
} from './engine-types.js';
import { errorMessage } from './error-message.js';
import { InboundJournalTap } from './inbound-journal-tap.js';
import { makeSerializedSignalRepository } from './session-serializer.js';
import { replayedMessage, type ReplayedMessage } from './inbound-replay.js';
import { OperationLock } from './operation-lock.js';
import { forgetUnpairedIdentity, isPaired, PendingPairingCode } from './pairing-code.js';
import { QrCycle } from './qr-cycle.js';
import type { AuthStore, InstanceRuntimeEvents, InstanceRuntimeOptions, SocketFactory } from './runtime-types.js';
import { buildSocketConfig } from './socket-config.js';
import { runSocketOperation, type OperationPayload, type OperationResult, type SocketOperationName } from './socket-operations.js';
import { TypedEmitter } from './typed-emitter.js';
import { withTimeout } from './with-timeout.js';

/**
 * One WhatsApp connection (one Baileys socket at a time) for one instance.
 *
 * Handles the QR cycle (our own count of QR codes; Baileys' `qrTimeout` sets each one's life),
 * the 515 restart after pairing (a new socket with the same creds, invisible to the user),
 * reconnects with backoff, and the terminal closes (logged out, banned, replaced). State-changing
 * operations run one at a time under an OperationLock.
 */
export class InstanceRuntime extends TypedEmitter<InstanceRuntimeEvents> {
  readonly instanceId: string;
  private readonly log: Logger;
  private readonly baileysLogger: ReturnType<typeof createBaileysLogger>;
  private readonly authStore: AuthStore;
  private readonly lock: OperationLock;
  private readonly qrTtlMs: number;
  private readonly qrMaxAttempts: number;
  private readonly qr: QrCycle;
  private readonly now: () => number;
  private readonly socketFactory: SocketFactory;

  private state: AuthenticationState | null = null;
  private sock: WASocket | null = null;
  private generation = 0;
  private open = false;
  private failures = 0;
  /**
   * The messages of the journal entries the last fresh start replayed (`<message>` nodes, by id): WhatsApp may deliver
   * them again, and the journal tap then hands Baileys their plaintext instead of decrypting them a second time.
   */
  private redelivered = new Map<string, BinaryNode>();
  private reconnectTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private current: StatusChange;
  private closing: Promise<void> | null = null;
  /** Set while pairing by phone code in the current cycle (pairing-code.ts). */
  private pairing: PendingPairingCode | null = null;

  constructor(private readonly options: InstanceRuntimeOptions) {
    super();
    this.instanceId = options.instanceId;
    this.log = options.logger.child({ instanceId: options.instanceId });
    this.baileysLogger = createBaileysLogger(this.log);
    this.authStore = options.authStore;
    this.qrTtlMs = options.qrTtlMs ?? 20_000;
    this.qrMaxAttempts = options.qrMaxAttempts ?? 6;
    this.now = options.now ?? Date.now;
    this.socketFactory = options.socketFactory ?? makeWASocket;
    this.lock = new OperationLock({
      instanceId: options.instanceId,
      mode: options.lockMode,
      waitTimeoutMs: options.lockWaitTimeoutMs,
    });
    this.current = { status: 'created', reason: 'created', phone: null, jid: null, at: this.now() };
    this.qr = new QrCycle({
      instanceId: options.instanceId,
      log: this.log,
      ttlMs: this.qrTtlMs,
      maxAttempts: this.qrMaxAttempts,
      now: this.now,
      generation: () => this.generation,
      onCode: (qr, pairingCode) => this.report('qr', 'qr', { qr, ...(pairingCode ? { pairingCode } : {}) }),
      pairingCodeFor: async (gen) => (await this.pairing?.onQr(gen, gen === this.generation ? this.sock : null, this.log)) ?? null,
      onExpired: async () => {
        await this.closeSocket();
        this.pairing?.fail('the pairing cycle expired');
        this.pairing = null;
        this.report('disconnected', 'qr_expired');
      },
    });
  }

  /** The last status this runtime reported (or `created`). */
  get status(): StatusChange {
    return this.current;
  }

  /** True while a socket exists or a reconnect is scheduled. */
  get running(): boolean {
    return this.sock !== null || this.reconnectTimer !== null;
  }

  get connected(): boolean {
    return this.open;
  }

  /** The operation holding the lock, if any. */
  get busyWith(): string | null {
    return this.lock.current;
  }

  /** Opens the socket (saved creds connect directly; fresh ones start a QR cycle). No-op if running. */
  start(): Promise<void> {
    return this.op('start', async () => {
      if (this.running) return;
      await this.openFresh();
    });
  }

  /** Closes the socket WITHOUT logging out; the device stays linked and another start resumes it. */
  stop(): Promise<void> {
    return this.op('stop', async () => {
      await this.closeSocket();
    });
  }

  /** Closes and reopens the socket with the saved creds (no QR for a paired device). */
  restart(): Promise<void> {
    return this.op('restart', async () => {
      await this.closeSocket();
      if (await this.isRegistered()) this.report('disconnected', 'restarting');
      await this.openFresh();
    });
  }

  /** Starts a new cycle of QR codes. Does nothing for a connected instance. */
  regenerateQr(): Promise<void> {
    return this.op('regenerate-qr', async () => {
      if (this.open) return;
      await this.closeSocket();
      await this.openFresh();
    });
  }

  /**
   * Pairing by phone code: a new cycle on a fresh registering socket and, once its first QR shows, Baileys'
   * `requestPairingCode(phone)`. The code lives as long as the cycle (qrMaxAttempts × qrTtlMs); the statuses are those
   * of a QR pairing, every `qr` report carrying `pairingCode`. Asking again starts a new cycle with a new code.
   * AlreadyPairedError when the device is linked; PairingCodeUnavailableError when no code came within `waitMs`.
   */
  async requestPairingCode(phone: string, waitMs = 20_000): Promise<PairingCodeInfo> {
    let pending: PendingPairingCode | null = null;
    await this.op('pairing-code', async () => {
      if (this.open || (await this.isRegistered())) throw new AlreadyPairedError(this.instanceId);
      await this.closeSocket();
      await this.openFresh();
      pending = new PendingPairingCode(this.instanceId, phone, this.now() + this.qrMaxAttempts * this.qrTtlMs);
      this.pairing = pending;
      try {
        await pending.ready(waitMs);
      } catch (err) {
        if (this.pairing === pending) this.pairing = null; // the cycle goes on as a plain QR cycle
        throw err;
      }
    });
    return (pending as PendingPairingCode | null)!.info();
  }

  /**
   * Unlinks the device from WhatsApp (the phone no longer lists it) and wipes the auth state.
   * If the socket is not open but the device is paired, connects first (up to `connectWaitMs`).
   */
  logout(connectWaitMs = 10_000): Promise<void> {
    return this.op('logout', async () => {
      this.clearTimers();
      if (!this.open && (await this.isRegistered())) {
        if (!this.sock) this.openSocket();
        await this.waitForOpen(connectWaitMs).catch(() => undefined);
      }
      const sock = this.sock;
      if (sock && this.open) {
        this.generation += 1; // the 401 close that logout() causes is ours, not a decision to make
        try {
          await withTimeout(sock.logout(), 5_000);
        } catch (err) {
          this.log.warn({ instanceId: this.instanceId, err: errorMessage(err) }, 'logout request failed, wiping anyway');
        }
      }
      await this.closeSocket();
      await this.authStore.clear();
      this.state = null;
      this.report('disconnected', 'logged_out', { phone: null, jid: null });
    });
  }

  /** Runs a socket operation (socket-operations.ts) on the open socket; NotConnectedError without one. */
  async run<N extends SocketOperationName>(name: N, payload: OperationPayload<N>): Promise<OperationResult<N>> {
    const sock = this.requireOpen();
    return runSocketOperation({ instanceId: this.instanceId, sock }, name, payload);
  }

  /** Stops the socket (no logout) and releases everything. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true; // ops queued behind us fail with RuntimeClosedError; no reconnect is scheduled
      try {
        await this.lock.run('close', () => this.closeSocket(), 'wait');
      } catch (err) {
        this.log.warn({ instanceId: this.instanceId, err: errorMessage(err) }, 'close: lock wait failed, closing anyway');
        await this.closeSocket();
      }
      this.removeAllListeners();
    })();
    return this.closing;
  }

  /**
   * Destroys the socket at once without any goodbye, as if the process died (tests of failover).
   * The runtime is unusable afterwards.
   */
  abandon(): void {
    this.closed = true;
    this.clearTimers();
    this.generation += 1;
    const sock = this.sock;
    this.sock = null;
    this.open = false;
    void Promise.resolve()
      .then(() => sock?.ws.close())
      .catch(() => undefined);
    this.removeAllListeners();
  }

  // ---- internals -------------------------------------------------------------------------

  private op(name: string, fn: () => Promise<void>): Promise<void> {
    if (this.closed) return Promise.reject(new RuntimeClosedError(this.instanceId));
    return this.lock.run(name, async () => {
      if (this.closed) throw new RuntimeClosedError(this.instanceId);
      await fn();
    });
  }

  private requireOpen(): WASocket {
    if (!this.sock || !this.open) throw new NotConnectedError(this.instanceId);
    return this.sock;
  }

  private async isRegistered(): Promise<boolean> {
    if (!this.state) this.state = await this.loadState();
    return isPaired(this.state.creds);
  }

  private async loadState(): Promise<AuthenticationState> {
    const loaded = await this.authStore.load();
    // No makeCacheableSignalKeyStore: RedisAuthState keeps recently used keys already; a NodeCache per socket
    // (5-minute TTL, its own timer) cost memory and idle CPU per instance for a second copy.
    // Every LID ↔ phone pair Baileys stores becomes a lid-mapping.update event (see lid-mapping-tap.ts).
    const keys = tapLidMappings(loaded.keys, (mappings) =>
      this.emit('event', { name: 'lid-mapping.update', data: { mappings, source: 'signal-store' }, at: this.now() }),
    );
    return { creds: loaded.creds, keys };
  }

  /** New cycle: fresh counters, then a socket. */
  private async openFresh(): Promise<void> {
    if (!this.state) this.state = await this.loadState();
    this.pairing = null;
    // requestPairingCode sets creds.me before the phone confirms: an unfinished attempt must not look like a login.
    if (forgetUnpairedIdentity(this.state.creds)) await this.authStore.saveCreds();
    this.qr.attempts = 0;
    this.failures = 0;
    await this.replayJournal();
    this.openSocket();
  }

  /**
   * Inbound messages a previous life of the instance journaled (receipted by Baileys, maybe never stored: a crash, a
   * kill during a Postgres outage) go to the sink again, as the `messages.upsert` Baileys emitted for them, before
   * the socket opens; storage is idempotent on the WhatsApp id, so one already stored changes nothing.
   */
  private async replayJournal(): Promise<void> {
    const journal = this.options.journal;
    if (!journal) return;
    try {
      this.redelivered = new Map();
      const entries = await journal.pending(this.instanceId);
      if (entries.length === 0) return;
      const oldest = this.now() - journal.ttlMs;
      const dropped: string[] = [];
      for (const { messageId, entry } of entries) {
        let replay: ReplayedMessage | null = null;
        try {
          replay = await replayedMessage(entry, this.baileysLogger);
        } catch (err) {
          this.log.warn({ instanceId: this.instanceId, messageId, err: errorMessage(err) }, 'journaled inbound message unreadable; dropped');
        }
        if (!replay || Number(replay.message.messageTimestamp ?? 0) * 1000 < oldest) {
          dropped.push(messageId);
          continue;
        }
        const { message, type, stanza } = replay;
        this.redelivered.set(messageId, stanza);
        this.forward('messages.upsert', { messages: [message], type });
        if (message.pushName && !message.key.fromMe) {
          // As Baileys' upsertMessage does for each message that carries the sender's push name.
          const jid = jidNormalizedUser(message.key.participant || message.key.remoteJid || '');
          this.forward('contacts.update', [{ id: jid, notify: message.pushName, ...(message.verifiedBizName ? { verifiedName: message.verifiedBizName } : {}) }]);
        }
      }
      await journal.drop(this.instanceId, dropped);
      this.log.info({ instanceId: this.instanceId, replayed: entries.length - dropped.length, dropped: dropped.length }, 'inbound journal replayed');
    } catch (err) {
      this.log.warn({ instanceId: this.instanceId, err: errorMessage(err) }, 'inbound journal replay failed; it runs again at the next start');
    }
  }

  private openSocket(): void {
    const state = this.state;
    if (!state) throw new Error('openSocket() without auth state');
    this.clearTimers();
    const gen = ++this.generation;
    const tap = this.options.journal ? new InboundJournalTap(this.options.journal, this.instanceId, state.creds, this.redelivered) : null;
    // Session work serialized (session-serializer.ts); the journal's tap outside it, so an entry is written after
    // the session's commit and before the receipt.
    const makeSignalRepository = tap ? tap.makeSignalRepository(makeSerializedSignalRepository) : makeSerializedSignalRepository;
    const sock = this.socketFactory(buildSocketConfig(this.options, state, this.baileysLogger, this.qrTtlMs, makeSignalRepository));
    tap?.attach(sock.ws);
    this.sock = sock;
    this.open = false;
    sock.ev.on('creds.update', () => {
      this.authStore.saveCreds().catch((err: unknown) => {
        this.log.error({ instanceId: this.instanceId, err: errorMessage(err) }, 'saving creds failed');
      });
    });
    sock.ev.on('connection.update', (update) => this.onConnectionUpdate(gen, update));
    reportGroupsJoined(sock, (err, group) => {
      this.log.warn({ instanceId: this.instanceId, group, err: errorMessage(err) }, 'fetching a group the number was added to failed');
    });
    for (const name of ENGINE_EVENT_NAMES) {
      sock.ev.on(name, (data) => {
        if (gen !== this.generation) return;
        this.forward(name, data);
      });
    }
  }

  /** A Baileys event, as an engine event, to the listeners (the supervisor's sink). */
  private forward<K extends EngineEventName>(name: K, data: BaileysEventMap[K]): void {
    let event: EngineEvent;
    try {
      event = mapEngineEvent(name, data, this.now());
    } catch (err) {
      this.log.warn({ instanceId: this.instanceId, event: name, err: errorMessage(err) }, 'event mapping failed');
      return;
    }
    this.emit('event', event);
  }

  private onConnectionUpdate(gen: number, update: Partial<ConnectionState>): void {
    if (gen !== this.generation) return;
    if (update.qr) this.qr.onQr(gen, update.qr);
    if (update.isNewLogin) {
      this.qr.clearExpiry();
      this.pairing = null;
    }
    if (update.connection === 'open') void this.onOpen(gen);
    if (update.connection === 'close') void this.onClose(gen, update.lastDisconnect?.error);
  }

  private async onOpen(gen: number): Promise<void> {
    this.open = true;
    this.pairing = null;
    this.failures = 0;
    this.qr.attempts = 0;
    this.qr.clearExpiry();
    const me = this.state?.creds.me;
    const jid = me?.id ? jidNormalizedUser(me.id) : null;
    const user = me?.id ? jidDecode(me.id)?.user : undefined;
    const phone = user ? `+${user}` : null;
    const sock = this.sock;
    let profilePicUrl: string | null = null;
    if (jid && sock) {
      try {
        const timeout = this.options.profilePicTimeoutMs ?? 1500;
        profilePicUrl = (await withTimeout(sock.profilePictureUrl(jid, 'image', timeout), timeout)) ?? null;
      } catch {
        profilePicUrl = null;
      }
    }
    if (gen !== this.generation || this.sock !== sock || !this.open) return; // closed meanwhile
    this.log.info({ instanceId: this.instanceId, phone }, 'connected');
    this.report('connected', 'connected', { phone, jid, profilePicUrl });
  }

  private async onClose(gen: number, error: Error | undefined): Promise<void> {
    this.open = false;
    this.sock = null;
    this.qr.clearExpiry();
    const statusCode = (error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
    const decision = decideDisconnect({
      statusCode,
      registered: this.state ? isPaired(this.state.creds) : false,
      qrAttempts: this.qr.attempts,
      qrMaxAttempts: this.qrMaxAttempts,
      consecutiveFailures: this.failures,
      maxFailuresBeforeDisconnected: this.options.maxFailuresBeforeDisconnected ?? 5,
      giveUpAfterFailures: this.options.giveUpAfterFailures,
    });
    const message = error?.message ?? 'closed';
    this.log.info({ instanceId: this.instanceId, statusCode, message, ...decision }, 'socket closed');
    this.emit('socket-close', { statusCode, message, decision });
    if (decision.action === 'stop') {
      if (decision.wipeAuth) {
        try {
          await this.authStore.clear();
        } catch (err) {
          this.log.error({ instanceId: this.instanceId, err: errorMessage(err) }, 'wiping auth state failed');
        }
        this.state = null;
      }
      await this.qr.chain;
      if (gen !== this.generation) return;
      const extra = decision.wipeAuth ? { phone: null, jid: null } : {};
      const unchanged = this.current.status === decision.status && this.current.reason === decision.reason;
      if (decision.status && decision.reason && !unchanged) this.report(decision.status, decision.reason, extra);
      return;
    }
    if (decision.status && decision.reason && this.current.reason !== decision.reason) {
      this.report(decision.status, decision.reason);
    }
    if (decision.action === 'reconnect-now') {
      await this.qr.chain; // a QR still rendering belongs to this cycle: let it out before the new socket
      this.reconnect(gen, 0);
      return;
    }
    this.failures += 1;
    this.reconnect(gen, backoffDelay(this.failures, this.options.backoff));
  }

  private reconnect(gen: number, delayMs: number): void {
    if (this.closed) return;
    this.log.info({ instanceId: this.instanceId, delayMs, failures: this.failures }, 'reconnecting');
    const run = (): void => {
      this.reconnectTimer = null;
      if (gen !== this.generation || this.closed || this.sock) return;
      try {
        this.openSocket();
      } catch (err) {
        this.log.error({ instanceId: this.instanceId, err: errorMessage(err) }, 'reconnect failed');
        this.failures += 1;
        this.reconnect(this.generation, backoffDelay(this.failures, this.options.backoff));
      }
    };
    this.reconnectTimer = setTimeout(run, delayMs);
  }

  private async closeSocket(): Promise<void> {
    this.clearTimers();
    this.generation += 1;
    const sock = this.sock;
    this.sock = null;
    this.open = false;
    if (!sock) return;
    try {
      await sock.end(undefined);
    } catch (err) {
      this.log.debug({ instanceId: this.instanceId, err: errorMessage(err) }, 'socket end failed');
    }
  }

  private waitForOpen(timeoutMs: number): Promise<void> {
    if (this.open) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('status', onStatus);
        reject(new NotConnectedError(this.instanceId));
      }, timeoutMs);
      const onStatus = (change: StatusChange): void => {
        if (change.status !== 'connected') return;
        clearTimeout(timer);
        this.off('status', onStatus);
        resolve();
      };
      this.on('status', onStatus);
    });
  }

  private report(status: InstanceStatus, reason: StatusReason, extra: Partial<StatusChange> = {}): void {
    const change: StatusChange = {
      status,
      reason,
      phone: this.current.phone,
      jid: this.current.jid,
      ...extra,
      at: this.now(),
    };
    if (status !== 'qr') {
      delete change.qr;
      delete change.pairingCode;
    }
    this.current = change;
    this.log.info({ instanceId: this.instanceId, status, reason }, 'status');
    this.emit('status', change);
  }

  private clearTimers(): void {
    this.qr.clearExpiry();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }
}
