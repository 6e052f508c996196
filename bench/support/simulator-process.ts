import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface SimulatorProcess {
  child: ChildProcess;
  wsUrl: string;
  controlUrl: string;
  rootPublicKey: string;
  /** SIGTERM, once; also run when this process exits. */
  stop(): void;
}

/**
 * The simulator in its own process (`src/simulator/cli.ts`, any free port, no media server), so that benchmarks
 * measure the engine's CPU and memory without the simulator's. Resolves with the CLI's ready line.
 */
export async function startSimulatorProcess(nodeArgs: string[] = []): Promise<SimulatorProcess> {
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', 'src/simulator/cli.ts', '--port', '0', '--no-media', '--log-level', 'error'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const stop = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.on('exit', stop);
  const ready = await new Promise<{ wsUrl: string; controlUrl: string; rootPublicKey: string }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`simulator exited ${code}`)));
  });
  return { child, ...ready, stop };
}
