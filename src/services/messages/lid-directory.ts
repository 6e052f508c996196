import type { Logger } from 'pino';
import type { LidPair } from '../../engine/engine-types.js';
import type { LidMappingSource } from '../../persistence/entities/lid-mapping.entity.js';
import type { LidMappingRepository } from '../../persistence/repositories/lid-mapping-repository.js';
import { LruMap } from '../../lru-map.js';

export const isLidJid = (jid: string | null | undefined): jid is string => typeof jid === 'string' && /^\d+(:\d+)?@lid$/.test(jid);
export const isPnJid = (jid: string | null | undefined): jid is string =>
  typeof jid === 'string' && /^\d+(:\d+)?@s\.whatsapp\.net$/.test(jid);

/** `user:device@server` → `user@server`. */
export function bareJid(jid: string): string {
  const at = jid.indexOf('@');
  return at < 0 ? jid : `${jid.slice(0, at).split(':')[0]}@${jid.slice(at + 1)}`;
}

/** `+<digits>` of a phone JID. */
export const phoneOfPn = (pn: string) => `+${pn.slice(0, pn.indexOf('@'))}`;

/** Someone named by phone and LID, as far as we know them. */
export interface Identity {
  /** The JID to file them under: the phone JID when known, else the LID. */
  jid: string;
  /** `+<digits>`. */
  phone: string | null;
  /** `<digits>@lid`. */
  lid: string | null;
}

/**
 * Each instance's LID ↔ phone pairs, in Postgres (lid_mappings) behind a bounded cache of the pairs this node has
 * seen. Learning a new pair merges what was kept under the LID into the phone JID (one contact, one chat).
 */
export class LidDirectory {
  /** `<instanceId>|<lid>` → `{ pn, addressing }`; `<instanceId>|<pn>` → lid. Only known pairs are cached. */
  private readonly byLid = new LruMap<string, { pn: string; addressing: 'pn' | 'lid' | null }>(50_000);
  private readonly byPn = new LruMap<string, string>(50_000);
  /**
   * sendTarget's answers, `<instanceId>|<generation>|<pn>` → target. An instance's generation moves on whenever this
   * node writes one of its pairs and whenever its status changes here (`forgetSendTargets`: a socket that starts
   * here may have run on another node, which learnt pairs meanwhile), so older answers are never read again.
   */
  private readonly sendTargets = new LruMap<string, { target: string; until: number }>(50_000);
  private readonly generations = new Map<string, number>();
  private readonly now: () => number;

  constructor(
    private readonly deps: {
      mappings: LidMappingRepository;
      logger: Logger;
      /** How long a sendTarget answer is kept at most (ms; default 60 s). */
      sendTargetTtlMs?: number;
      now?: () => number;
    },
  ) {
    this.now = deps.now ?? Date.now;
  }

  /** Forgets the instance's cached send targets (its socket starts or stops here; see sendTargets). */
  forgetSendTargets(instanceId: string): void {
    this.generations.set(instanceId, (this.generations.get(instanceId) ?? 0) + 1);
  }

  /** Stores pairs (and a 1:1 message's addressing); returns how many were new (and so merged). */
  async learn(instanceId: string, pairs: readonly LidPair[], source: LidMappingSource, addressing?: 'pn' | 'lid'): Promise<number> {
    let merged = 0;
    for (const raw of pairs) {
      const pair = { lid: bareJid(raw.lid), pn: bareJid(raw.pn) };
      if (!isLidJid(pair.lid) || !isPnJid(pair.pn)) continue;
      const cached = this.byLid.get(`${instanceId}|${pair.lid}`);
      if (cached && cached.pn === pair.pn && (addressing === undefined || cached.addressing === addressing)) continue;
      this.forgetSendTargets(instanceId); // before and after the write: a sendTarget read meanwhile is not kept
      const recorded = await this.deps.mappings.record(instanceId, { ...pair, source, ...(addressing ? { addressing } : {}) });
      this.forgetSendTargets(instanceId);
      const mapping = recorded?.mapping ?? (await this.deps.mappings.findByLid(instanceId, pair.lid));
      if (mapping) this.remember(instanceId, mapping.lid, mapping.pn, mapping.addressing);
      if (recorded?.merged) {
        merged += 1;
        this.deps.logger.debug({ instanceId, source }, 'LID mapping learnt');
      }
    }
    return merged;
  }

  private remember(instanceId: string, lid: string, pn: string, addressing: 'pn' | 'lid' | null): void {
    this.byLid.set(`${instanceId}|${lid}`, { pn, addressing });
    this.byPn.set(`${instanceId}|${pn}`, lid);
  }

  async pnOf(instanceId: string, lid: string): Promise<string | null> {
    const key = `${instanceId}|${bareJid(lid)}`;
    const cached = this.byLid.get(key);
    if (cached) return cached.pn;
    const found = await this.deps.mappings.findByLid(instanceId, bareJid(lid));
    if (found) this.remember(instanceId, found.lid, found.pn, found.addressing);
    return found?.pn ?? null;
  }

  async lidOf(instanceId: string, pn: string): Promise<string | null> {
    const cached = this.byPn.get(`${instanceId}|${bareJid(pn)}`);
    if (cached) return cached;
    const found = await this.deps.mappings.findByPn(instanceId, bareJid(pn));
    if (found) this.remember(instanceId, found.lid, found.pn, found.addressing);
    return found?.lid ?? null;
  }

  /**
   * Who a JID (and its alternative addressing, when WhatsApp gave one) is: filed under the phone JID when known.
   * Groups and other JIDs are returned as they are.
   */
  async identify(instanceId: string, jid: string, alt?: string | null): Promise<Identity> {
    const main = bareJid(jid);
    const other = alt ? bareJid(alt) : null;
    let pn = isPnJid(main) ? main : isPnJid(other) ? other : null;
    let lid = isLidJid(main) ? main : isLidJid(other) ? other : null;
    if (!pn && !lid) return { jid, phone: null, lid: null };
    if (!pn && lid) pn = await this.pnOf(instanceId, lid);
    else if (pn && !lid) lid = await this.lidOf(instanceId, pn);
    return { jid: pn ?? lid ?? main, phone: pn ? phoneOfPn(pn) : null, lid };
  }

  /** The JID a chat is filed under: a LID's phone JID when known, anything else as it is. */
  async canonical(instanceId: string, jid: string): Promise<string> {
    return isLidJid(jid) ? ((await this.pnOf(instanceId, jid)) ?? jid) : jid;
  }

  /**
   * Where a one-to-one message to this phone JID goes: the contact's LID when its last message came LID-addressed
   * (WhatsApp expects the LID then), else the phone JID. Read from Postgres (the send may run on another node than
   * the one that saw the contact's messages), then kept until this node learns a pair of the instance, the
   * instance's status changes here, or for `sendTargetTtlMs`.
   */
  async sendTarget(instanceId: string, jid: string): Promise<string> {
    if (!isPnJid(jid)) return jid;
    const generation = this.generations.get(instanceId) ?? 0;
    const key = `${instanceId}|${generation}|${jid}`;
    const cached = this.sendTargets.get(key);
    if (cached && cached.until > this.now()) return cached.target;
    const found = await this.deps.mappings.findByPn(instanceId, bareJid(jid));
    const target = found?.addressing === 'lid' ? found.lid : jid;
    // Not kept when a pair was written meanwhile (the read may predate it).
    if ((this.generations.get(instanceId) ?? 0) === generation) {
      this.sendTargets.set(key, { target, until: this.now() + (this.deps.sendTargetTtlMs ?? 60_000) });
    }
    return target;
  }
}
