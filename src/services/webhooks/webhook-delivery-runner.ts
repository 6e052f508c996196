import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { PinnedAgents } from '../../net/pinned-agents.js';
import type { HostLookup } from '../../net/url-guard.js';
import {
  deliveryHostKey,
  type ClaimedDelivery,
  type WebhookDeliveryRepository,
} from '../../persistence/repositories/webhook-delivery-repository.js';
import { decideRetry, type RetryPolicy } from './retry-policy.js';
import { envelopeBody } from './stored-event-envelope.js';
import { SuccessMarks } from './success-marks.js';
import { attemptWebhook } from './webhook-sender.js';

/** Characters of a failed attempt's answer kept in its attempt log. */
const ATTEMPT_RESPONSE_CHARS = 1024;

/** Plain secrets of instances by id, from the sealed values the claim read (the webhook secret store opens them). */
export type SecretSource = (sealed: ReadonlyArray<{ instanceId: string; sealed: string | null }>) => Promise<Map<string, string>>;

export interface WebhookDeliveryRunnerOptions {
  deliveries: WebhookDeliveryRepository;
  secrets: SecretSource;
  policy: RetryPolicy;
  logger: Logger;
  /** Per attempt (WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  /** Attempts in flight at once on this node (WEBHOOK_CONCURRENCY). */
  concurrency: number;
  /** Attempts in flight at once to one host (default half the concurrency): one slow receiver cannot take every slot. */
  perHostLimit?: number;
  /** Look for due deliveries at least this often (WEBHOOK_POLL_INTERVAL_MS); notifications wake the runner sooner. */
  pollIntervalMs: number;
  /** How long a claim holds a delivery; a node that dies mid-attempt frees it after this (default timeout + 30 s). */
  leaseMs?: number;
  /** WEBHOOK_ALLOW_PRIVATE_URLS: checked again at every attempt. */
  allowPrivate: boolean;
  lookup?: HostLookup;
  /** Keep-alive pools for the receivers (owned by the caller, closed after the runner). */
  agents?: PinnedAgents;
  maxResponseBytes?: number;
  /** Subscribes `wake` to notifications (events appended, deliveries made due); returns the unsubscribe. */
  subscribe?: (wake: () => void) => Promise<() => void>;
  /** How long close() waits for attempts in flight (default 5 s) before aborting them (they are retried later). */
  closeGraceMs?: number;
  /** How long a success waits for the next claim's statement before it is recorded on its own (default 5 ms). */
  successMaxWaitMs?: number;
}

/**
 * Drives the webhook outbox: claims due deliveries (SKIP LOCKED, so any number of nodes share the table), sends
 * each signed envelope, and records the outcome (success, retry after backoff or Retry-After, or failed).
 * Everything it needs is in the rows: a node killed at any point loses nothing; its claims lapse and are retried.
 */
export class WebhookDeliveryRunner {
  private readonly inFlight = new Map<string, string>();
  private readonly perHostLimit: number;
  /** Successes recorded in batches (one statement for the answers that come in together). */
  private readonly successes: SuccessMarks;
  private readonly leaseMs: number;
  private readonly log: Logger;
  private loop: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopping = false;
  private woken = false;
  private mayHaveMore = false;
  private sleeper: (() => void) | null = null;
  private readonly settled = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(private readonly options: WebhookDeliveryRunnerOptions) {
    this.perHostLimit = Math.max(1, options.perHostLimit ?? Math.ceil(options.concurrency / 2));
    this.successes = new SuccessMarks({
      record: (items) => options.deliveries.markManySucceeded(items),
      maxItems: options.concurrency,
      ...(options.successMaxWaitMs !== undefined ? { maxWaitMs: options.successMaxWaitMs } : {}),
    });
    this.leaseMs = options.leaseMs ?? options.timeoutMs + 30_000;
    this.log = options.logger.child({ component: 'webhook-runner' });
    setMaxListeners(0, this.abort.signal); // one listener per attempt in flight
  }

  async start(): Promise<void> {
    if (this.stopping) throw new Error('WebhookDeliveryRunner is closed');
    if (this.loop) return;
    if (this.options.subscribe) this.unsubscribe = await this.options.subscribe(() => this.wake());
    this.loop = this.run();
    this.log.info({ concurrency: this.options.concurrency, perHostLimit: this.perHostLimit }, 'webhook delivery runner started');
  }

  /** Look for due deliveries now (a notification arrived). */
  wake(): void {
    this.woken = true;
    this.sleeper?.();
  }

  /** Attempts in flight on this node. */
  get activeCount(): number {
    return this.inFlight.size;
  }

  /** Stops claiming, waits up to the grace period for attempts in flight. Safe to call twice. */
  async close(): Promise<void> {
    if (this.stopping) return this.loop ?? undefined;
    this.stopping = true;
    try {
      this.unsubscribe?.();
    } catch (err) {
      this.log.warn({ err }, 'unsubscribing the runner failed');
    }
    this.sleeper?.();
    try {
      await this.loop;
    } catch (err) {
      this.log.warn({ err }, 'the runner loop failed');
    }
    const grace = this.options.closeGraceMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.settled]),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, grace);
      }),
    ]);
    clearTimeout(timer);
    if (this.inFlight.size === 0) return;
    // Abort what is left: each is recorded as a failed attempt and retried (by any node) after its backoff.
    this.log.warn({ inFlight: this.inFlight.size }, 'aborting webhook attempts still in flight');
    this.abort.abort();
    await Promise.race([Promise.allSettled([...this.settled]), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.woken = false;
      let failed = false;
      try {
        await this.claimAndLaunch();
      } catch (err) {
        failed = true;
        this.log.error({ err }, 'claiming webhook deliveries failed');
      }
      if (this.stopping) break;
      if (failed) {
        // Database trouble: wait a whole interval, notifications or not.
        await new Promise((resolve) => setTimeout(resolve, this.options.pollIntervalMs));
        continue;
      }
      if (this.woken) continue;
      await this.sleep(this.options.pollIntervalMs);
    }
  }

  private async claimAndLaunch(): Promise<void> {
    const free = this.options.concurrency - this.inFlight.size;
    if (free <= 0) {
      this.mayHaveMore = true;
      return;
    }
    // Per-host fairness: saturated hosts are skipped, and one claim takes no more than the smallest room left on a
    // busy host (nor more than the per-host limit), so no host can go over its limit whatever the claim returns.
    const room = this.hostRoom();
    const skipHosts = [...room].filter(([, n]) => n === 0).map(([host]) => host);
    const limit = Math.min(free, this.perHostLimit, ...[...room.values()].filter((n) => n > 0));
    // Answers waiting to be recorded as successes go in the claim's statement: one round trip for both.
    const marks = this.successes.take();
    let claimed: ClaimedDelivery[];
    try {
      const result = await this.options.deliveries.markSucceededAndClaimDue(marks.marks, { limit, leaseMs: this.leaseMs, skipHosts });
      marks.settle(result.recorded);
      claimed = result.claimed;
    } catch (err) {
      marks.fail(err);
      throw err;
    }
    this.mayHaveMore = claimed.length === limit || skipHosts.length > 0;
    if (claimed.length === 0) return;
    let secrets: Map<string, string>;
    try {
      secrets = await this.options.secrets(claimed.map((c) => ({ instanceId: c.delivery.instanceId, sealed: c.sealedSecret })));
    } catch (err) {
      this.log.error({ err }, 'loading webhook secrets failed');
      secrets = new Map();
    }
    for (const c of claimed) this.launch(c, secrets.get(c.delivery.instanceId) ?? null);
  }

  /** For each host with attempts in flight, how many more it may get now (0 when at the per-host limit). */
  private hostRoom(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const host of this.inFlight.values()) counts.set(host, (counts.get(host) ?? 0) + 1);
    return new Map([...counts].map(([host, n]) => [host, Math.max(0, this.perHostLimit - n)]));
  }

  private launch(claimed: ClaimedDelivery, secret: string | null): void {
    const { delivery } = claimed;
    this.inFlight.set(delivery.id, deliveryHostKey(delivery.url));
    const done = this.attempt(claimed, secret)
      .catch((err: unknown) => this.log.error({ err, deliveryId: delivery.id }, 'webhook attempt failed unexpectedly'))
      .finally(() => {
        this.inFlight.delete(delivery.id);
        this.settled.delete(done);
        if (this.mayHaveMore) this.wake();
      });
    this.settled.add(done);
  }

  private async attempt({ delivery, event }: ClaimedDelivery, secret: string | null): Promise<void> {
    const { deliveries, policy } = this.options;
    const token = delivery.claimToken as string;
    const log = this.log.child({ instanceId: delivery.instanceId, deliveryId: delivery.id, eventId: event.id });
    if (secret === null) {
      // The sealed secret did not open (ENCRYPTION_KEY changed?) or the instance is gone: retry later, visibly.
      const decision = decideRetry({ kind: 'network_error' }, delivery.attempts, policy);
      const error = 'the webhook secret of the instance is unavailable';
      if (decision.action === 'retry') await deliveries.markRetry(delivery.id, token, { error, delayMs: decision.delayMs });
      else await deliveries.markFailed(delivery.id, token, { error });
      log.error({ attempt: delivery.attempts }, error);
      return;
    }
    const result = await attemptWebhook({
      url: delivery.url,
      secret,
      eventId: event.id,
      body: envelopeBody(event),
      timeoutMs: this.options.timeoutMs,
      maxResponseBytes: this.options.maxResponseBytes ?? 4096,
      allowPrivate: this.options.allowPrivate,
      lookup: this.options.lookup,
      signal: this.abort.signal,
      agents: this.options.agents,
    });
    const decision = decideRetry(result.outcome, delivery.attempts, policy);
    const statusCode = result.statusCode;
    const durationMs = Math.round(result.durationMs);
    // The start of a failed attempt's answer goes to its attempt log (a success's answer is not kept).
    const responseBody = result.responseBody === null ? null : result.responseBody.slice(0, ATTEMPT_RESPONSE_CHARS);
    const error = result.error ?? (decision.action === 'success' ? null : `HTTP ${statusCode ?? '?'}`);
    let recorded: boolean;
    if (decision.action === 'success') {
      recorded = await this.successes.record({ id: delivery.id, claimToken: token, statusCode: statusCode ?? 200, durationMs });
    } else if (decision.action === 'retry') {
      recorded = await deliveries.markRetry(delivery.id, token, { statusCode, error, durationMs, responseBody, delayMs: decision.delayMs });
    } else {
      const reason = decision.reason === 'attempts_exhausted' ? `${error}; no attempts left` : error;
      recorded = await deliveries.markFailed(delivery.id, token, { statusCode, error: reason, durationMs, responseBody });
    }
    const fields = { attempt: delivery.attempts, statusCode, outcome: result.outcome.kind, action: decision.action, durationMs: result.durationMs };
    if (!recorded) log.warn(fields, 'webhook attempt finished after its claim lapsed; outcome not recorded');
    else if (decision.action === 'success') log.debug(fields, 'webhook delivered');
    else log.info({ ...fields, error }, decision.action === 'retry' ? 'webhook attempt failed; will retry' : 'webhook delivery failed');
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || this.stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.sleeper = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleeper = done;
    });
  }
}
