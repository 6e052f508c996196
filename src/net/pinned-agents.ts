import http from 'node:http';
import https from 'node:https';
import type { VettedUrl } from './url-guard.js';

export interface PinnedAgentsOptions {
  /** Sockets per origin and address (webhook runners cap per host themselves); default 16. */
  maxSocketsPerOrigin?: number;
  /** An idle socket is closed after this long, before the usual 5 s keep-alive of servers runs out; default 4 s. */
  idleTimeoutMs?: number;
  /** Agents kept (one per origin and vetted address); the least recently used is closed beyond it. Default 500. */
  maxAgents?: number;
}

/**
 * Keep-alive connection pools for safeRequest, one per origin *and* vetted address: a socket is reused only for
 * the address the URL guard vetted when it was opened, so keeping connections never bypasses the guard (a name
 * that now resolves elsewhere gets its own pool after being vetted again). Saves a TCP (and TLS) handshake per
 * webhook. close() destroys every socket.
 */
export class PinnedAgents {
  private readonly agents = new Map<string, http.Agent>();
  private closed = false;

  constructor(private readonly options: PinnedAgentsOptions = {}) {}

  agentFor(vetted: VettedUrl): http.Agent {
    if (this.closed) throw new Error('PinnedAgents is closed');
    const { url } = vetted;
    const key = `${url.protocol}//${vetted.hostname}:${url.port}|${vetted.address}`;
    let agent = this.agents.get(key);
    if (agent) {
      this.agents.delete(key); // most recently used last
    } else {
      const settings = {
        keepAlive: true,
        maxSockets: this.options.maxSocketsPerOrigin ?? 16,
        timeout: this.options.idleTimeoutMs ?? 4000,
      };
      agent = url.protocol === 'https:' ? new https.Agent(settings) : new http.Agent(settings);
    }
    this.agents.set(key, agent);
    if (this.agents.size > (this.options.maxAgents ?? 500)) {
      const [oldestKey, oldest] = this.agents.entries().next().value as [string, http.Agent];
      this.agents.delete(oldestKey);
      oldest.destroy();
    }
    return agent;
  }

  get size(): number {
    return this.agents.size;
  }

  /** Destroys every pooled socket; later agentFor() calls throw. Safe to call twice. */
  close(): void {
    this.closed = true;
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}
