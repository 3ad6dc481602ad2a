// lib/miners: miner protocol clients (LuxOS, Braiins OS, stock Antminer), the desired-state controller with its
// fast shed path, learned capabilities, and MinerTelemetry. No Node-RED here: nodes/flaregrid-miner adapts it.
export { MinerCapability, type CapabilitySnapshot, type CommandKind } from './capability';
export { cgminerCommand, joinedSection, parseReply, type CgminerReply, type Endpoint } from './cgminer-client';
export { MinerController, type MinerControllerOptions } from './controller';
export { createDriver, detectDialect } from './detect';
export { MinerError, type MinerErrorCode } from './errors';
export { MinerFleet, type FleetMiner, type MinerFleetOptions } from './fleet';
export { MinerLink, type Linked, type MinerLinkOptions } from './link';
export { Reconciler, type Action, type Desired, type Observation, type ReconcilerOptions, type ReconcilerState } from './reconciler';
export { buildTelemetry, type TelemetryInput } from './telemetry';
export { DIALECTS, type Credentials, type Dialect, type DriverContext, type MinerAddress, type MinerDriver, type MinerLimits, type MinerSample } from './types';
