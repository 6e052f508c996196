import { Browsers, proto, type AuthenticationState, type SocketConfig, type UserFacingSocketConfig } from '@whiskeysockets/baileys';
import type { createBaileysLogger } from './baileys-logger.js';
import type { InstanceRuntimeOptions } from './runtime-types.js';

/**
 * The Baileys socket config for one connection attempt of an instance. `makeSignalRepository`: Baileys' own, its
 * session work serialized (session-serializer.ts) and wrapped by the inbound journal's tap (inbound-journal-tap.ts).
 */
export function buildSocketConfig(
  options: InstanceRuntimeOptions,
  state: AuthenticationState,
  baileysLogger: ReturnType<typeof createBaileysLogger>,
  qrTtlMs: number,
  makeSignalRepository?: SocketConfig['makeSignalRepository'],
): UserFacingSocketConfig {
  const syncHistory = options.syncHistory ?? true;
  return {
    auth: state,
    logger: baileysLogger,
    browser: Browsers.ubuntu(options.browserName ?? 'Zap Engine'),
    markOnlineOnConnect: false,
    // Baileys' "init queries" on every open (props, blocklist, privacy settings: three IQs and their answers) feed
    // nothing of ours: the blocklist is read when asked (socket-operations.ts), privacy settings are fetched by Baileys
    // when a privacy call needs them. Each socket of a node restoring hundreds spent CPU on them at both ends.
    fireInitQueries: false,
    // Our own sends are already stored by the API; Baileys' local echo of them (an `append` upsert per message)
    // would only cost a lookup per send. Messages sent from the phone still arrive, as the server relays them.
    emitOwnEvents: false,
    qrTimeout: qrTtlMs,
    // Baileys counts each retry receipt of ours twice (handleReceipt, then sendMessagesAgain), so its default of 5
    // resends a message only twice; a contact whose session went out of step (a node killed mid-burst) can need a
    // third try. 10 allows 5 resends, as many retry receipts as a phone sends.
    maxMsgRetryCount: 10,
    syncFullHistory: false,
    shouldSyncHistoryMessage: ({ syncType }) => syncHistory && syncType !== proto.HistorySync.HistorySyncType.FULL,
    ...(options.waWebSocketUrl ? { waWebSocketUrl: options.waWebSocketUrl } : {}),
    ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
    ...(options.keepAliveIntervalMs ? { keepAliveIntervalMs: options.keepAliveIntervalMs } : {}),
    ...(options.getMessage ? { getMessage: options.getMessage } : {}),
    ...(makeSignalRepository ? { makeSignalRepository } : {}),
  };
}
