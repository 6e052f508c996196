/**
 * Small Error subclasses the engine throws (kept together: each is three lines). Every one
 * carries a stable `code` so the services layer can map it to an HTTP status
 * (busy → 409, not-connected → 409, command-timeout → 504, auth-state-decrypt → 500).
 */
export abstract class EngineError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Another operation is changing the instance's state and the caller chose not to wait. */
export class BusyError extends EngineError {
  readonly code = 'instance_busy';
  constructor(readonly instanceId: string, readonly runningOperation: string) {
    super(`instance ${instanceId} is busy (${runningOperation} in progress)`);
  }
}

/** The instance has no open WhatsApp connection on this node. */
export class NotConnectedError extends EngineError {
  readonly code = 'instance_not_connected';
  constructor(readonly instanceId: string) {
    super(`instance ${instanceId} is not connected`);
  }
}

/** The runtime was closed; it cannot be used again. */
export class RuntimeClosedError extends EngineError {
  readonly code = 'runtime_closed';
  constructor(readonly instanceId: string) {
    super(`runtime of instance ${instanceId} is closed`);
  }
}

/** A stored auth value could not be decrypted: wrong ENCRYPTION_KEY or a corrupted value. */
export class AuthStateDecryptError extends EngineError {
  readonly code = 'auth_state_decrypt_failed';
  constructor(readonly instanceId: string, readonly storageKey: string, options?: { cause?: unknown }) {
    super(
      `cannot decrypt auth state of instance ${instanceId} (${storageKey}): wrong ENCRYPTION_KEY or corrupted value`,
      options,
    );
  }
}

/** A command sent to the owning node got no answer in time. */
export class CommandTimeoutError extends EngineError {
  readonly code = 'command_timeout';
  constructor(readonly instanceId: string, readonly command: string, readonly nodeId: string | null) {
    super(`command ${command} for instance ${instanceId} got no answer from node ${nodeId ?? '?'}`);
  }
}

/** The owning node ran the command and it failed there; `remoteCode` is that error's code. */
export class RemoteCommandError extends EngineError {
  readonly code: string;
  constructor(readonly instanceId: string, readonly command: string, remoteCode: string, message: string) {
    super(message);
    this.code = remoteCode;
  }
}

/** No node runs sockets (ROLE=worker/all) right now, so a command has nowhere to go. */
export class NoEngineNodeError extends EngineError {
  readonly code = 'no_engine_node';
  constructor(readonly instanceId: string, readonly command: string) {
    super(`no engine node is running to take command ${command} for instance ${instanceId}`);
  }
}

/** Pairing asked for an instance whose device is linked already (connected, or reconnecting with its creds). */
export class AlreadyPairedError extends EngineError {
  readonly code = 'instance_already_paired';
  constructor(readonly instanceId: string) {
    super(`instance ${instanceId} is linked to a phone already`);
  }
}

/** WhatsApp gave no pairing code in time (no registering socket came up). */
export class PairingCodeUnavailableError extends EngineError {
  readonly code = 'pairing_code_unavailable';
  constructor(readonly instanceId: string, reason: string) {
    super(`no pairing code for instance ${instanceId}: ${reason}`);
  }
}

/** The number asked about (profile, block) has no WhatsApp account. */
export class NotOnWhatsAppError extends EngineError {
  readonly code = 'not_on_whatsapp';
  constructor(readonly phone: string) {
    super(`${phone} is not on WhatsApp`);
  }
}

/** available/unavailable need the number's push name: WhatsApp (and Baileys) drop them without one. */
export class PushNameRequiredError extends EngineError {
  readonly code = 'push_name_required';
  constructor(readonly instanceId: string) {
    super(`instance ${instanceId} has no profile name yet; set one first`);
  }
}
