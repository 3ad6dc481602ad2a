/** Every error the simulator raises on purpose; `code` is machine-readable (e.g. 'EADDRINUSE', 'ERR_OPTION'). */
export class SimError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SimError';
  }
}
