import { decodeSyncdPatch, newLTHashState, proto, type BinaryNode, type ChatMutation, type WAPatchName } from '@whiskeysockets/baileys';
import type { Phone } from '../state/accounts.js';
import { children, findChild } from './pairing.js';

/**
 * The phone's app-state sync key, shared with a new companion as `protocolMessage{APP_STATE_SYNC_KEY_SHARE}` right
 * after pairing (as WhatsApp's phone does). Without it Baileys has no `creds.myAppStateKeyId` and every app-state
 * patch (updateProfileName, chatModify…) fails with "App state key not present!".
 */
export function appStateKeyShare(phone: Phone): proto.IMessage {
  const { keyId, keyData } = phone.appStateKey;
  return {
    protocolMessage: {
      type: proto.Message.ProtocolMessage.Type.APP_STATE_SYNC_KEY_SHARE,
      appStateSyncKeyShare: {
        keys: [{ keyId: { keyId }, keyData: { keyData, fingerprint: { rawId: 1, currentIndex: 0, deviceIndexes: [0] }, timestamp: Date.now() } }],
      },
    },
  };
}

/** What the simulator takes from app-state patches a device uploads: today the push name (updateProfileName). */
export interface AppStateEffects {
  pushName?: string;
}

/**
 * Decodes the patches of `iq set xmlns=w:sync:app:state > sync > collection > patch` with the phone's key.
 * Collections stay empty on the server side (nothing is stored or re-served); only the effects are returned.
 */
export async function readAppStatePatches(phone: Phone, iq: BinaryNode): Promise<AppStateEffects> {
  const effects: AppStateEffects = {};
  const getKey = async (id: string): Promise<proto.Message.IAppStateSyncKeyData | undefined> =>
    id === phone.appStateKey.keyId.toString('base64') ? { keyData: phone.appStateKey.keyData } : undefined;
  for (const collection of children(findChild(iq, 'sync'), 'collection')) {
    for (const patchNode of children(collection, 'patch')) {
      if (!(patchNode.content instanceof Uint8Array)) continue;
      const patch = proto.SyncdPatch.decode(patchNode.content);
      const onMutation = (mutation: ChatMutation): void => {
        const name = mutation.syncAction.value?.pushNameSetting?.name;
        if (name) effects.pushName = name;
      };
      await decodeSyncdPatch(patch, collection.attrs.name as WAPatchName, newLTHashState(), getKey, onMutation, false);
    }
  }
  return effects;
}
