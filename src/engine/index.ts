/**
 * The engine's public surface. Only src/engine (and src/simulator) import Baileys; everything
 * exported here is plain TypeScript, except InstanceRuntime whose Baileys types stay internal.
 */
export * from './engine-types.js';
export * from './engine-commands.js';
export * from './engine-errors.js';
export * from './group-types.js';
export { GroupOperationError, type GroupErrorCode } from './group-errors.js';
export { EngineMetrics, type EngineMetricsOptions } from './engine-metrics.js';
export { SessionSupervisor } from './session-supervisor.js';
export type { SessionSupervisorOptions } from './supervisor-options.js';
export type { SupervisedRuntime } from './supervised-runtime.js';
export { LeaseManager, holderNode, type LeaseManagerOptions } from './lease-manager.js';
export { NodeIdentity, NodeIdentityInUseError, aliveKey, type IdentityClaim, type NodeIdentityOptions } from './node-identity.js';
export { SocketConfirmations, type SocketConfirmationsOptions } from './socket-confirmations.js';
export { RedisCommandBus, NodeUnreachableError, type BroadcastMessage } from './redis-command-bus.js';
export { InstanceRuntime } from './instance-runtime.js';
export type { InstanceRuntimeOptions, InstanceRuntimeEvents } from './runtime-types.js';
export { RedisAuthState, type RedisAuthStateOptions } from './redis-auth-state.js';
export { InboundJournal, type InboundJournalOptions } from './inbound-journal.js';
export { createRuntimeFactory, clearInstanceAuth, type RuntimeFactoryOptions } from './runtime-factory.js';
export { decideDisconnect, CloseCode, type DisconnectDecision, type DisconnectContext } from './disconnect-policy.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export { parseEncryptionKey } from '../crypto/auth-cipher.js';
export { trustRootKey } from './trust-root.js';
export { routeSignalConsole } from './libsignal-console.js';
export { shareAsyncLocalStorage } from './shared-async-storage.js';
export { rememberVerifiedSignatures } from './verified-signatures.js';
export { cacheAgreementKeys } from './agreement-keys.js';
export { EngineControl } from './engine-control.js';
export { downloadMessageMedia, mediaInfoOf, type MediaInfo } from './media-download.js';
export { RemoteEngine, type RemoteEngineOptions } from './remote-engine.js';
export type { ContactProfile, BusinessProfile, BusinessHours, OwnProfileChange, PresenceState } from './profile-types.js';
