// The error vocabulary of lib/control/dispatch: every refusal is a DispatchError with a machine code and a
// sentence that names the field, the rule and the value given, so a Catch node's text is enough to fix a flow.

export type DispatchErrorCode =
  /** a parameter (dialog field or msg override) is missing, of the wrong type or out of its range */
  | 'PARAM_INVALID'
  /** telemetry or an override names a miner outside the configured fleet */
  | 'UNKNOWN_MINER'
  /** an override asks for a power no miner of the fleet may be commanded to */
  | 'TARGET_INVALID'
  /** a SiteBalance or MinerTelemetry that breaks its contract or is implausible */
  | 'INPUT_INVALID';

export class DispatchError extends Error {
  override name = 'DispatchError';
  constructor(
    readonly code: DispatchErrorCode,
    message: string,
  ) {
    super(message);
  }
}
