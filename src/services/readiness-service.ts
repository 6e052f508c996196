import { ServiceUnavailableError } from '../errors/service-unavailable-error.js';

export type ReadinessCheck = () => Promise<unknown>;

/** Runs named dependency checks (Postgres, Redis, ...) with a time limit each. */
export class ReadinessService {
  constructor(
    private readonly checks: Record<string, ReadinessCheck>,
    private readonly timeoutMs = 2000,
  ) {}

  async check(): Promise<Record<string, 'ok'>> {
    const names = Object.keys(this.checks);
    const results = await Promise.all(
      names.map(async (name) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            this.checks[name]?.(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error('timeout')), this.timeoutMs);
            }),
          ]);
          return [name, 'ok'] as const;
        } catch {
          return [name, 'down'] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const down = results.filter(([, state]) => state === 'down').map(([name]) => name);
    if (down.length > 0) throw new ServiceUnavailableError(`Not ready: ${down.join(', ')} unreachable`, { down });
    return Object.fromEntries(results) as Record<string, 'ok'>;
  }
}
