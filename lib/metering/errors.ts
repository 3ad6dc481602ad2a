// The error vocabulary of lib/metering. Every failure is a MeteringError with a machine code and a sentence a
// plant engineer can act on; `retryable` says whether polling again may help.

export type MeteringErrorCode =
  | 'PROFILE_INVALID'
  | 'PROFILE_PARSE'
  | 'BLOCK_MISSING'
  | 'BLOCK_LENGTH'
  | 'REGISTER_VALUE'
  | 'SUNSPEC_NOT_FOUND'
  | 'SUNSPEC_NO_METER'
  | 'SUNSPEC_READ'
  | 'SUNSPEC_MODEL_CHAIN'
  | 'DISCOVERY_STATE'
  | 'READ_FAILED';

const RETRYABLE: ReadonlySet<MeteringErrorCode> = new Set<MeteringErrorCode>([
  'BLOCK_MISSING',
  'BLOCK_LENGTH',
  'REGISTER_VALUE',
  'SUNSPEC_READ',
  'READ_FAILED',
]);

export class MeteringError extends Error {
  readonly code: MeteringErrorCode;
  readonly retryable: boolean;
  /** for PROFILE_INVALID: one sentence per schema or consistency problem */
  readonly problems: readonly string[];

  constructor(code: MeteringErrorCode, message: string, options: { cause?: unknown; problems?: readonly string[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MeteringError';
    this.code = code;
    this.retryable = RETRYABLE.has(code);
    this.problems = options.problems ?? [];
  }
}
