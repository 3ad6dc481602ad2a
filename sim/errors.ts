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

/** A listen failure of one of the simulator's faces as a one-sentence SimError that keeps the system code. */
export function listenError(err: NodeJS.ErrnoException, face: string, host: string, port: number): SimError {
  const code = err.code ?? 'ERR_LISTEN';
  const reason =
    code === 'EADDRINUSE'
      ? 'is already in use (another simulator or program is listening there)'
      : `cannot be opened (${err.message})`;
  return new SimError(code, `${face} port ${port} on ${host} ${reason}; choose another port.`);
}
