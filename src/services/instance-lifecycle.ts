/**
 * The port through which InstancesService drives whatever runs instances (the engine, issue 4).
 * Every method is called after the database change it follows has been committed.
 * When no lifecycle is given, instances are plain records (status `created`).
 */
export interface InstanceLifecycle {
  /** A new instance exists: start connecting it (QR cycle). */
  start(instanceId: string): Promise<void>;
  /** Stop running the instance without logging out (keeps credentials). */
  stop(instanceId: string): Promise<void>;
  /** Log the device out and wipe its credentials; called before the instance is deleted. */
  logout(instanceId: string): Promise<void>;
}
