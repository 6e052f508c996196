/**
 * The port through which InstancesService drives whatever runs instances (the engine's EngineControl).
 * Every method is called after the database change it follows has been committed; each reaches the node
 * that runs the instance's socket, wherever the request landed. Errors carry the engine's `code`
 * (instance_busy, instance_not_connected, command_timeout...), mapped to HTTP by http/domain-errors.ts.
 * When no lifecycle is given, instances are plain records (status `created`).
 */
export interface InstanceLifecycle {
  /** A new instance exists: start connecting it (QR cycle). */
  start(instanceId: string): Promise<void>;
  /** Stop running the instance without logging out (keeps credentials) and release it. */
  stop(instanceId: string): Promise<void>;
  /** Log the device out of WhatsApp and wipe its credentials (disconnect; DELETE before removing the row). */
  logout(instanceId: string): Promise<void>;
  /** Close and reopen the socket with the saved credentials (no QR for a paired device). Optional for fakes. */
  restart?(instanceId: string): Promise<void>;
  /** A new cycle of QR codes (after `qr_expired`). Optional for fakes. */
  regenerateQr?(instanceId: string): Promise<void>;
}

/** Removes what an instance keeps outside Postgres (auth state, current QR...); run after the row is deleted. */
export interface InstanceStatePurger {
  purge(instanceId: string): Promise<void>;
}
