import type { SignalKeyStore } from '@whiskeysockets/baileys';
import { lidPairsOfStoreWrite } from './event-mapping.js';
import type { LidPair } from './engine-types.js';

/**
 * Wraps a Signal key store so that every LID ↔ phone pair Baileys writes to its `lid-mapping` keys is reported
 * once the write succeeded. Baileys learns pairs from sources it emits no event for (sender_pn / sender_lid /
 * participant_pn attributes, usync's lid protocol, history sync's phoneNumberToLidMappings); they all end in this
 * store, so this is the one place that sees every pair.
 */
export function tapLidMappings(keys: SignalKeyStore, onPairs: (pairs: LidPair[]) => void): SignalKeyStore {
  return {
    get: (type, ids) => keys.get(type, ids),
    set: async (data) => {
      await keys.set(data);
      const pairs = lidPairsOfStoreWrite(data['lid-mapping'] as { [id: string]: unknown } | undefined);
      if (pairs.length > 0) onPairs(pairs);
    },
    ...(keys.clear ? { clear: () => keys.clear!() } : {}),
  };
}
