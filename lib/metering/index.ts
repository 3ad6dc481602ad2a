// lib/metering: meter profiles, read planning, register decoding, SunSpec discovery and meter tracking.
// Everything here is pure (no I/O, no clock); the flaregrid-meter node does the Modbus and Node-RED part.

export { MeteringError, type MeteringErrorCode } from './errors';
export * from './types';
export { planReads, registerWords, MODBUS_MAX_READ_REGISTERS, type PlanOptions } from './plan';
export { CompiledProfile, compileProfile, decodeBlocks, registersToString } from './decode';
export { validateProfile, parseCustomProfile } from './validate';
export { loadBuiltinProfiles, builtinProfiles } from './profiles';
export { SunSpecDiscovery, type DiscoveryStep, type SunSpecDevice, type SunSpecDiscoveryOptions, type SunSpecModelInfo } from './sunspec-discovery';
export { sunSpecMeterProfile, isSunSpecMeterModel, SUNSPEC_MARKER, type SunSpecMeterProfileOptions } from './sunspec';
export { MeterTracker, busSign, type MeterTrackerOptions } from './tracker';
export { EnergyCounter, EnergyIntegrator, type CounterLimits, type CounterState, type IntegratorState } from './counters';
