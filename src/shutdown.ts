import type { Logger } from 'pino';

export interface Closable {
  name: string;
  close: () => Promise<unknown>;
}

/**
 * Closes things in order, each in its own try/catch, under a total time limit. Safe to call twice:
 * the second call returns the first one's promise.
 */
export class Shutdown {
  private running: Promise<boolean> | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  run(steps: Closable[]): Promise<boolean> {
    this.running ??= this.execute(steps);
    return this.running;
  }

  private async execute(steps: Closable[]): Promise<boolean> {
    let clean = true;
    const work = (async () => {
      for (const step of steps) {
        try {
          await step.close();
          this.logger.info({ step: step.name }, 'closed');
        } catch (err) {
          clean = false;
          this.logger.error({ err, step: step.name }, 'close failed');
        }
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
      timer.unref();
    });
    const outcome = await Promise.race([work.then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.logger.error({ timeoutMs: this.timeoutMs }, 'shutdown timed out');
      return false;
    }
    return clean;
  }
}
