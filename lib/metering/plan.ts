// Read planning: a profile's registers become as few block reads as possible, one per contiguous run per
// function code, because each Modbus request costs a round trip (on RS-485 behind a gateway, tens of ms).
// Small holes are read through (their words are ignored); large holes are not, because a device may answer
// exception 02 for unmapped addresses.

import { MeteringError } from './errors';
import type { FunctionCode, MeterProfile, ReadRequest, RegisterSpec } from './types';

/** The Modbus limit for one read of holding or input registers. */
export const MODBUS_MAX_READ_REGISTERS = 125;

/**
 * Holes read through by default: 32 unused registers cost 64 bytes on the wire, far less than a second
 * request's round trip. Devices that answer exception 02 inside their map need maxGapRegisters: 0.
 */
export const DEFAULT_MAX_GAP_REGISTERS = 32;

export interface PlanOptions {
  /** at most this many registers per request (Modbus allows 125; some gateways less) */
  maxRegistersPerRead?: number;
  /** read through holes of up to this many unused registers rather than start a new request */
  maxGapRegisters?: number;
}

/** How many 16-bit registers a value occupies; the width is a property of the type, never of a string. */
export function registerWords(register: RegisterSpec): number {
  const type = register.type;
  switch (type) {
    case 'u16':
    case 's16':
    case 'sunssf':
      return 1;
    case 'u32':
    case 's32':
    case 'f32':
    case 'acc32':
      return 2;
    case 'u64':
    case 's64':
    case 'f64':
      return 4;
    case 'string':
      return register.words ?? 1;
    default: {
      const unknown: never = type;
      throw new MeteringError('PROFILE_INVALID', `Register ${register.name} has the unknown type ${String(unknown)}.`);
    }
  }
}

export function planReads(profile: MeterProfile, options: PlanOptions = {}): ReadRequest[] {
  const max = options.maxRegistersPerRead ?? MODBUS_MAX_READ_REGISTERS;
  const maxGap = options.maxGapRegisters ?? DEFAULT_MAX_GAP_REGISTERS;
  if (!Number.isInteger(max) || max < 1 || max > MODBUS_MAX_READ_REGISTERS) {
    throw new RangeError(`maxRegistersPerRead must be an integer from 1 to ${MODBUS_MAX_READ_REGISTERS}, not ${max}`);
  }
  const spans = profile.registers
    .map((register) => ({ register, fc: register.fc, start: register.address, end: register.address + registerWords(register) }))
    .sort((a, b) => a.fc - b.fc || a.start - b.start || a.end - b.end);
  const reads: ReadRequest[] = [];
  let current: { fc: FunctionCode; start: number; end: number } | undefined;
  for (const span of spans) {
    if (span.end - span.start > max) {
      throw new MeteringError(
        'PROFILE_INVALID',
        `Register ${span.register.name} of profile ${profile.id} spans ${span.end - span.start} registers, more than the ${max} one read may carry.`,
      );
    }
    if (current !== undefined && current.fc === span.fc && span.start <= current.end + maxGap && Math.max(current.end, span.end) - current.start <= max) {
      current.end = Math.max(current.end, span.end);
      continue;
    }
    if (current !== undefined) reads.push({ fc: current.fc, address: current.start, quantity: current.end - current.start });
    current = { fc: span.fc, start: span.start, end: span.end };
  }
  if (current !== undefined) reads.push({ fc: current.fc, address: current.start, quantity: current.end - current.start });
  return reads;
}
