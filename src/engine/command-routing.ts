import type { CommandResult, EngineCommand } from './engine-commands.js';
import { CommandTimeoutError, RuntimeClosedError } from './engine-errors.js';
import { NodeUnreachableError } from './redis-command-bus.js';
import { sleep } from './sleep.js';
import { isSocketOperation, operationOf, type SocketCommand } from './socket-operations.js';
import type { SupervisedRuntime } from './supervised-runtime.js';

/** What routing a command needs from the supervisor. */
export interface CommandRoutingDeps {
  readonly nodeId: string;
  /** How long a command may take end to end, including waiting for a dead owner's lease. */
  readonly commandTimeoutMs: number;
  isClosed(): boolean;
  /** True when this node runs the instance's runtime. */
  isLocal(instanceId: string): boolean;
  owner(instanceId: string): Promise<string | null>;
  /** Takes the lease and builds the runtime (started when `start`); false when another node got it first. */
  adopt(instanceId: string, start: boolean): Promise<boolean>;
  executeOwned(instanceId: string, command: EngineCommand): Promise<unknown>;
  /** Forwards the command to the owning node over the command bus. */
  forward(owner: string, instanceId: string, command: EngineCommand): Promise<unknown>;
}

/**
 * Runs a command on the owning node, wherever it is: here if this node owns the instance, forwarded to the
 * owner otherwise, adopted if nobody owns it. Waits while a dead owner's lease runs out (up to `commandTimeoutMs`).
 */
export async function routeCommand<C extends EngineCommand>(
  deps: CommandRoutingDeps,
  instanceId: string,
  command: C,
): Promise<CommandResult<C>> {
  const deadline = Date.now() + deps.commandTimeoutMs;
  for (;;) {
    if (deps.isClosed()) throw new RuntimeClosedError(instanceId);
    if (deps.isLocal(instanceId)) return (await deps.executeOwned(instanceId, command)) as CommandResult<C>;
    const owner = await deps.owner(instanceId);
    if (owner === null || owner === deps.nodeId) {
      if (command.type === 'stop' && owner === null) return undefined as CommandResult<C>;
      const needsSocket = isSocketOperation(command.type);
      const adopted = await deps.adopt(instanceId, needsSocket);
      if (adopted) return (await deps.executeOwned(instanceId, command)) as CommandResult<C>;
    } else {
      try {
        return (await deps.forward(owner, instanceId, command)) as CommandResult<C>;
      } catch (err) {
        if (!(err instanceof NodeUnreachableError)) throw err;
      }
    }
    if (Date.now() > deadline) throw new CommandTimeoutError(instanceId, command.type, owner);
    await sleep(250);
  }
}

/** Runs a command on a runtime this node owns; `stop` is the supervisor's (close and release the lease). */
export async function dispatchToRuntime(runtime: SupervisedRuntime, command: EngineCommand, stop: () => Promise<void>): Promise<unknown> {
  if (isSocketOperation(command.type)) {
    const { name, payload } = operationOf(command as SocketCommand);
    return runtime.run(name, payload);
  }
  switch (command.type) {
    case 'start':
      return runtime.start();
    case 'restart':
      return runtime.restart();
    case 'regenerate-qr':
      return runtime.regenerateQr();
    case 'logout':
      return runtime.logout();
    case 'stop':
      return stop();
  }
}
