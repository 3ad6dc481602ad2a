// lib/control/dispatch: the miner dispatch controller (flaregrid-dispatch and the closed-loop scenario use it).
export { DecayingTimer, type TimerInput } from './decaying-timer';
export { DispatchController, RESEND_AFTER_MS, type DispatchControllerOptions, type DispatchDecision, type TargetSummary } from './controller';
export { DispatchError, type DispatchErrorCode } from './errors';
export { fleetJoulesPerTh, miningValueMsatPerKwh, type SurplusOffer } from './economics';
export { parseMinerIds, parsePriorities } from './ids';
export { ceilOn, describeGrid, floorOn, gridOf, isOnGrid, maxOf, minOf, nearestOn, type MinerGrid } from './grid';
export { addOrder, expectedDrawW, isActing, isControllable, type MinerRecord } from './fleet';
export type { DispatchMode } from './assess';
export { FILL_BELOW_SHARE } from './plan';
export { NOISE_ALLOWANCE_SHARE, OVER_CYCLES_FOR_FAST_SHED } from './steps';
export { AVAILABLE_SAMPLES, LEAD_S, SOFT_LEAD_S, fitLine, plannedAvailableW, type AvailableSample, type PlannedCapacity } from './capacity';
export {
  DEFAULT_DISPATCH_PARAMS,
  minerLimitsOf,
  NUMERIC_PARAMS,
  PRIORITY_MODES,
  TIMER_MODES,
  withParams,
  type DispatchParams,
  type MinerLimits,
  type NumericParam,
  type NumericParamSpec,
  type PriorityMode,
  type TimerMode,
} from './params';
