// The one error type of lib/miners: a code a program can switch on, a sentence a plant engineer can read, and
// whether trying again may help.

export type MinerErrorCode =
  /** no answer within the per-command timeout (a stalled miner) */
  | 'TIMEOUT'
  /** the connection was refused: nothing listens (a miner that is off or rebooting) */
  | 'REFUSED'
  /** the connection closed or reset before a whole answer came */
  | 'CLOSED'
  /** the answer is cut short */
  | 'TRUNCATED'
  /** the answer is not the JSON the firmware speaks */
  | 'GARBAGE'
  /** the firmware answered with an error status */
  | 'API_ERROR'
  /** the firmware is restarting ("Not ready", HTTP 503) */
  | 'NOT_READY'
  /** login refused, or a token or session the firmware no longer accepts */
  | 'AUTH'
  /** LuxOS: another program holds the miner's only session */
  | 'SESSION_BUSY'
  /** this firmware (or its API) cannot do what was asked */
  | 'UNSUPPORTED'
  /** the miner failed several commands in a row: it is not asked again until a probe answers */
  | 'BREAKER_OPEN'
  /** a PowerTarget for a miner this node does not drive */
  | 'UNKNOWN_MINER'
  /** a target outside what the miner can do, or not a whole number of W */
  | 'INVALID_TARGET'
  /** a setting that cannot work */
  | 'CONFIG';

const RETRYABLE: ReadonlySet<MinerErrorCode> = new Set(['TIMEOUT', 'REFUSED', 'CLOSED', 'TRUNCATED', 'GARBAGE', 'NOT_READY', 'SESSION_BUSY', 'BREAKER_OPEN']);

export class MinerError extends Error {
  readonly code: MinerErrorCode;
  readonly retryable: boolean;
  /** the firmware's own status code (cgminer STATUS Code, HTTP status), when it gave one */
  readonly apiCode: number | undefined;

  constructor(code: MinerErrorCode, message: string, options: { cause?: unknown; apiCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MinerError';
    this.code = code;
    this.retryable = RETRYABLE.has(code);
    this.apiCode = options.apiCode;
  }
}

/** A socket error as a MinerError: refused, reset and the rest. */
export function socketError(err: NodeJS.ErrnoException, where: string): MinerError {
  if (err.code === 'ECONNREFUSED') return new MinerError('REFUSED', `${where} refused the connection (nothing listens there)`, { cause: err });
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return new MinerError('CLOSED', `${where} reset the connection`, { cause: err });
  return new MinerError('CLOSED', `${where}: ${err.message}`, { cause: err });
}

export function asMinerError(err: unknown, where: string): MinerError {
  if (err instanceof MinerError) return err;
  if (err instanceof Error && 'code' in err && typeof (err as NodeJS.ErrnoException).code === 'string') return socketError(err as NodeJS.ErrnoException, where);
  return new MinerError('CLOSED', `${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
