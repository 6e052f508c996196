/** The one error type the simulator throws on purpose; the control router maps it to `{ success: false, error }`. */
export class SimulatorError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'SimulatorError';
  }
}
