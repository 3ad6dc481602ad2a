// SunSpec discovery as a pure state machine: it asks for reads, the caller performs them (Modbus through
// Node-RED, or a test's register arrays) and hands back the registers or the error. No I/O here, so the same
// code runs against a real meter, the simulator, and hand-written fixtures.
//
// Sequence: find 'SunS' at one of the base addresses (an exception or another value means: try the next base),
// walk the model chain (id, length; the next header is 2 + length further) to the 0xFFFF end marker, read the
// common model (manufacturer, model, serial), and build a profile for the first meter model found.

import type { MeterRole } from '../schemas/contracts';
import { registersToString } from './decode';
import { MeteringError } from './errors';
import { isSunSpecMeterModel, SUNSPEC_COMMON_ID, SUNSPEC_END_ID, SUNSPEC_MARKER, sunSpecMeterProfile } from './sunspec';
import type { MeterProfile, ReadRequest } from './types';
import { validateProfile } from './validate';

export interface SunSpecModelInfo {
  id: number;
  /** address of the model's id register */
  address: number;
  /** registers after the id and length registers */
  length: number;
}

export interface SunSpecDevice {
  manufacturer: string;
  model: string;
  options: string;
  version: string;
  serialNumber: string;
  deviceAddress?: number;
}

export type DiscoveryStep =
  | { read: ReadRequest }
  | { done: MeterProfile; models: SunSpecModelInfo[]; device: SunSpecDevice }
  | { failed: MeteringError };

export interface SunSpecDiscoveryOptions {
  baseAddresses?: readonly number[];
  /** role of the profile built; a SunSpec meter is most often a consumption meter */
  kind?: MeterRole;
  /** give up on a model chain longer than this (a device answering garbage must not loop forever) */
  maxModels?: number;
}

const COMMON_POINTS = 66;

type State =
  | { phase: 'marker'; base: number }
  | { phase: 'header'; base: number; address: number }
  | { phase: 'common'; base: number; address: number; quantity: number }
  | { phase: 'finished'; step: DiscoveryStep };

export class SunSpecDiscovery {
  private readonly bases: readonly number[];
  private readonly kind: MeterRole;
  private readonly maxModels: number;
  private readonly models: SunSpecModelInfo[] = [];
  private state: State;
  private baseIndex = 0;

  constructor(options: SunSpecDiscoveryOptions = {}) {
    this.bases = options.baseAddresses ?? [40000, 0, 50000];
    this.kind = options.kind ?? 'load';
    this.maxModels = options.maxModels ?? 64;
    this.state = this.bases.length > 0 ? { phase: 'marker', base: this.bases[0] } : this.notFound();
  }

  /** What to do now; the same answer until accept() or acceptError() moves the machine on. */
  next(): DiscoveryStep {
    const state = this.state;
    switch (state.phase) {
      case 'marker':
        return { read: { fc: 3, address: state.base, quantity: 2 } };
      case 'header':
        return { read: { fc: 3, address: state.address, quantity: 2 } };
      case 'common':
        return { read: { fc: 3, address: state.address + 2, quantity: state.quantity } };
      case 'finished':
        return state.step;
    }
  }

  /** The registers answering the read next() asked for. */
  accept(registers: readonly number[]): void {
    const step = this.next();
    if (!('read' in step)) throw new MeteringError('DISCOVERY_STATE', 'SunSpec discovery has finished; it accepts no more registers.');
    const { address, quantity } = step.read;
    if (registers.length !== quantity || registers.some((w) => (w & 0xffff) !== w)) {
      this.fail('SUNSPEC_READ', `The read of ${quantity} registers at ${address} returned ${registers.length} values, or values that are not 16-bit registers.`);
      return;
    }
    const state = this.state;
    switch (state.phase) {
      case 'marker':
        if (registers[0] === SUNSPEC_MARKER[0] && registers[1] === SUNSPEC_MARKER[1]) this.state = { phase: 'header', base: state.base, address: state.base + 2 };
        else this.tryNextBase();
        return;
      case 'header':
        this.acceptHeader(state.base, state.address, registers[0], registers[1]);
        return;
      case 'common':
        this.finish(state.base, registers);
        return;
      case 'finished':
        return;
    }
  }

  /** The read next() asked for failed (Modbus exception or timeout). */
  acceptError(error: unknown): void {
    const state = this.state;
    if (state.phase === 'finished') throw new MeteringError('DISCOVERY_STATE', 'SunSpec discovery has finished; it accepts no more answers.');
    // A device without a SunSpec map at one base usually answers exception 02 there: look at the next base.
    if (state.phase === 'marker') this.tryNextBase();
    else this.fail('SUNSPEC_READ', `Reading the SunSpec map at ${state.base} failed after the marker was found: ${describe(error)}.`, error);
  }

  private acceptHeader(base: number, address: number, id: number, length: number): void {
    if (id === SUNSPEC_END_ID) {
      const common = this.models.find((m) => m.id === SUNSPEC_COMMON_ID);
      if (common === undefined) this.finish(base, []);
      else this.state = { phase: 'common', base, address: common.address, quantity: Math.min(common.length, COMMON_POINTS) };
      return;
    }
    this.models.push({ id, address, length });
    const nextAddress = address + 2 + length;
    if (this.models.length > this.maxModels || nextAddress + 2 > 0x10000) {
      this.fail('SUNSPEC_MODEL_CHAIN', `The SunSpec model chain at ${base} has no end marker within ${this.maxModels} models or the address space; the device's map looks corrupt.`);
      return;
    }
    this.state = { phase: 'header', base, address: nextAddress };
  }

  private finish(base: number, common: readonly number[]): void {
    const text = (offset: number, words: number): string => (common.length >= offset + words ? registersToString(common, offset, words) : '');
    const device: SunSpecDevice = {
      manufacturer: text(0, 16),
      model: text(16, 16),
      options: text(32, 8),
      version: text(40, 8),
      serialNumber: text(48, 16),
      ...(common.length > 64 ? { deviceAddress: common[64] } : {}),
    };
    const meter = this.models.find((m) => isSunSpecMeterModel(m.id));
    if (meter === undefined) {
      const found = this.models.map((m) => m.id).join(', ') || 'none';
      this.fail('SUNSPEC_NO_METER', `The SunSpec device at ${base} has no meter model (201-204, 211-214); models found: ${found}.`);
      return;
    }
    const manufacturer = device.manufacturer || 'unknown manufacturer';
    const model = device.model || 'unknown model';
    const profile = validateProfile(
      sunSpecMeterProfile({
        id: slug(`sunspec-${manufacturer}-${model}-${meter.id}`),
        name: `${manufacturer} ${model} (SunSpec ${meter.id})`,
        manufacturer,
        model,
        source: `SunSpec model ${meter.id} discovered at address ${meter.address} (marker at ${base})`,
        kind: this.kind,
        modelId: meter.id,
        modelAddress: meter.address,
      }),
    );
    this.state = { phase: 'finished', step: { done: profile, models: [...this.models], device } };
  }

  private tryNextBase(): void {
    this.baseIndex += 1;
    this.state = this.baseIndex < this.bases.length ? { phase: 'marker', base: this.bases[this.baseIndex] } : this.notFound();
  }

  private notFound(): State {
    const where = this.bases.length > 0 ? `at ${this.bases.join(', ')}` : 'anywhere (no base addresses were given)';
    return {
      phase: 'finished',
      step: { failed: new MeteringError('SUNSPEC_NOT_FOUND', `No SunSpec marker 'SunS' was found ${where}; the device does not speak SunSpec at those addresses.`) },
    };
  }

  private fail(code: 'SUNSPEC_READ' | 'SUNSPEC_NO_METER' | 'SUNSPEC_MODEL_CHAIN', message: string, cause?: unknown): void {
    this.state = { phase: 'finished', step: { failed: new MeteringError(code, message, { cause }) } };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
}
