// The site's physics (gas, gensets, DC bus, loads, meters, emissions) and its ground truth: the entry point of
// sim/plant/ for the protocol faces (sim/modbus/, later the miners and LND faces) and for the tests.
export * from './constants';
export { countToJson, wrapCount, EnergyCounter, MeterPoint, type CounterPreset } from './counter';
export { emissionFactors, GasLedger, type EmissionFactors, type EmissionOptions } from './emissions';
export { fuelBtuPerHour, fuelPowerW, GasSupply, type GasEvent, type GasEventKind, type GasOptions } from './gas';
export { Alarm, Genset, RunState, type GensetOptions } from './genset';
export { DEFAULT_PROSUMER_PROFILES, MinerSlots, Prosumer, type ProsumerProfile, type SlotSource } from './loads';
export { PlantPhysics, type BusState, type PhysicsOptions } from './physics';
export { Prng } from './prng';
export { buildTruth, startTruthServer, type DeviceListing, type Truth, type TruthDevice } from './truth';
