import { Counter, Gauge, type Registry } from 'prom-client';
import type { InstanceStatus } from './engine-types.js';

export interface EngineMetricsOptions {
  registry: Registry;
  nodeId: string;
}

const STATUSES: readonly InstanceStatus[] = ['created', 'qr', 'connected', 'disconnected', 'banned'];

/** Prometheus metrics of the engine, registered on the Registry passed in (GET /metrics serves it). */
export class EngineMetrics {
  private readonly nodeId: string;
  private readonly instances: Gauge<'node' | 'status'>;
  private readonly reconnects: Counter<'node' | 'kind'>;
  private readonly leaseMoves: Counter<'node' | 'event'>;
  private readonly socketErrors: Counter<'node' | 'code'>;

  constructor(options: EngineMetricsOptions) {
    this.nodeId = options.nodeId;
    const registers = [options.registry];
    this.instances = new Gauge({
      name: 'zap_engine_instances',
      help: 'Instances whose socket this node runs, by status',
      labelNames: ['node', 'status'],
      registers,
    });
    this.reconnects = new Counter({
      name: 'zap_engine_reconnects_total',
      help: 'Socket reconnects by kind (restart_required, backoff, qr_refresh)',
      labelNames: ['node', 'kind'],
      registers,
    });
    this.leaseMoves = new Counter({
      name: 'zap_engine_lease_moves_total',
      help: 'Instance leases acquired (adopted), lost and released by this node',
      labelNames: ['node', 'event'],
      registers,
    });
    this.socketErrors = new Counter({
      name: 'zap_engine_socket_errors_total',
      help: 'Unexpected socket closes by status code',
      labelNames: ['node', 'code'],
      registers,
    });
    for (const status of STATUSES) this.instances.set({ node: this.nodeId, status }, 0);
  }

  setStatusCounts(counts: Partial<Record<InstanceStatus, number>>): void {
    for (const status of STATUSES) this.instances.set({ node: this.nodeId, status }, counts[status] ?? 0);
  }

  reconnect(kind: 'restart_required' | 'backoff' | 'qr_refresh'): void {
    this.reconnects.inc({ node: this.nodeId, kind });
  }

  lease(event: 'acquired' | 'lost' | 'released'): void {
    this.leaseMoves.inc({ node: this.nodeId, event });
  }

  socketError(code: number | undefined): void {
    this.socketErrors.inc({ node: this.nodeId, code: code === undefined ? 'unknown' : String(code) });
  }
}
