// Checks a msg.payload that claims to be a MeterReading before the balance trusts it: a reading with a wrong
// role or a missing power would silently move the Kirchhoff sum, so it is refused with a sentence an
// integrator can act on (it reaches a Catch node).
import { METER_ROLES, QUALITIES, type MeterReading } from '../schemas/contracts';

export class InvalidMeterReadingError extends Error {
  readonly code = 'INVALID_METER_READING';
  override name = 'InvalidMeterReadingError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  return JSON.stringify(value) ?? String(value);
}

/**
 * Returns the reading unchanged when it has every required field of the MeterReading contract (DESIGN.md §4:
 * a missing required field is an error, even one the balance itself does not read, so that a hand-built
 * reading that would mislead a payment node is caught where it enters); throws InvalidMeterReadingError
 * otherwise.
 */
export function parseMeterReading(value: unknown): MeterReading {
  if (!isRecord(value)) {
    throw new InvalidMeterReadingError(`A MeterReading must be an object, got ${describe(value)}.`);
  }
  const meterId = value.meterId;
  if (typeof meterId !== 'string' || meterId.trim() === '') {
    throw new InvalidMeterReadingError(`A MeterReading needs a meterId string, got ${describe(meterId)}.`);
  }
  const role = value.role;
  if (typeof role !== 'string' || !(METER_ROLES as readonly string[]).includes(role)) {
    throw new InvalidMeterReadingError(
      `Meter '${meterId}' has role ${describe(role)}; expected one of ${METER_ROLES.join(', ')}.`,
    );
  }
  if (typeof value.powerW !== 'number' || !Number.isFinite(value.powerW)) {
    throw new InvalidMeterReadingError(`Meter '${meterId}' needs a finite powerW in W, got ${describe(value.powerW)}.`);
  }
  if (typeof value.ts !== 'string' || Number.isNaN(Date.parse(value.ts))) {
    throw new InvalidMeterReadingError(
      `Meter '${meterId}' needs ts as an ISO 8601 UTC string, got ${describe(value.ts)}.`,
    );
  }
  for (const field of ['energyInWh', 'energyOutWh'] as const) {
    const energy = value[field];
    if (typeof energy !== 'number' || !Number.isFinite(energy) || energy < 0) {
      throw new InvalidMeterReadingError(`Meter '${meterId}' needs ${field} as a cumulative Wh figure of 0 or more, got ${describe(energy)}.`);
    }
  }
  const quality = value.quality;
  if (!(QUALITIES as readonly unknown[]).includes(quality)) {
    throw new InvalidMeterReadingError(
      `Meter '${meterId}' has quality ${describe(quality)}; expected one of ${QUALITIES.join(', ')}.`,
    );
  }
  const available = value.availablePowerW;
  if (available !== undefined && (typeof available !== 'number' || !Number.isFinite(available))) {
    throw new InvalidMeterReadingError(
      `Meter '${meterId}' has availablePowerW ${describe(available)}; it must be a finite number in W when present.`,
    );
  }
  return value as unknown as MeterReading;
}
