// Energy delivered to a buyer, per trade, from the buyer's meter. Both sides run this same rule on the same
// readings (the buyer's meter, published on flaregrid/<site>/meters/<meterId>), so the payer's stream and the
// payee's gate agree on what each trade has delivered without talking to each other.
//
// The rule: readings carry a cumulative, monotonic counter of the energy the buyer drew from the bus
// (energyOutWh). The increase between two consecutive readings belongs to the trades whose delivery window
// contains the later reading's time (start < ts ≤ end), in order of delivery start then trade id, each taking
// up to what is left of its quantity; what no trade takes is the buyer's own, unpaid by any trade. The first
// reading only sets the position: energy before it is unknown. So a trade's energy is counted between the
// first reading after its start and the last reading at or before its end, at most one reading period short.

import type { MeterReading } from '../schemas/metering';
import { PaymentError } from './errors';

export interface DeliveryWindow {
  tradeId: string;
  startMs: number;
  endMs: number;
  quantityWh: number;
}

/** Where the meter was last seen; persisted with a stream or gate, so that a restart counts on from it. */
export interface MeterPosition {
  counterWh: number;
  tsMs: number;
}

export interface Admitted {
  /** the trades whose delivered energy grew */
  changed: readonly string[];
  /** an older reading than the last one, ignored */
  stale: boolean;
  /** the reading's time, ms */
  tsMs: number;
}

const NONE: readonly string[] = Object.freeze([]);

interface Slot {
  window: DeliveryWindow;
  deliveredWh: number;
}

export class MeterAllocator {
  private readonly slots: Slot[] = [];
  private positionNow: MeterPosition | undefined;

  constructor(
    readonly meterId: string,
    position?: MeterPosition,
  ) {
    this.positionNow = position;
  }

  get position(): MeterPosition | undefined {
    return this.positionNow;
  }

  /** Starts counting for a trade (again, after a restart, from deliveredWh). */
  addTrade(window: DeliveryWindow, deliveredWh = 0): void {
    if (this.slots.some((s) => s.window.tradeId === window.tradeId)) return;
    this.slots.push({ window, deliveredWh });
    this.slots.sort((a, b) => a.window.startMs - b.window.startMs || (a.window.tradeId < b.window.tradeId ? -1 : 1));
  }

  removeTrade(tradeId: string): void {
    const index = this.slots.findIndex((s) => s.window.tradeId === tradeId);
    if (index >= 0) this.slots.splice(index, 1);
  }

  deliveredWh(tradeId: string): number {
    return this.slots.find((s) => s.window.tradeId === tradeId)?.deliveredWh ?? 0;
  }

  /** Checks a reading of this meter and shares its increase among the open trades. @throws PaymentError */
  admit(reading: MeterReading): Admitted {
    if (reading.meterId !== this.meterId) {
      throw new PaymentError('WRONG_METER', `a reading of meter '${reading.meterId}' is not the buyer's meter '${this.meterId}'`);
    }
    const tsMs = Date.parse(reading.ts);
    if (Number.isNaN(tsMs)) throw new PaymentError('BAD_READING', `a reading of meter ${reading.meterId} has no valid ts ('${reading.ts}')`);
    const counterWh = reading.energyOutWh;
    const last = this.positionNow;
    if (!last) {
      this.positionNow = { counterWh, tsMs };
      return { changed: NONE, stale: false, tsMs };
    }
    if (tsMs < last.tsMs) return { changed: NONE, stale: true, tsMs };
    if (counterWh < last.counterWh) {
      throw new PaymentError(
        'COUNTER_BACKWARDS',
        `meter ${reading.meterId} went backwards from ${last.counterWh} Wh to ${counterWh} Wh (energyOutWh); a replaced or reset meter needs a new trade`,
      );
    }
    let left = counterWh - last.counterWh;
    this.positionNow = { counterWh, tsMs };
    let changed: string[] | undefined;
    for (const slot of this.slots) {
      if (left === 0) break;
      const { startMs, endMs, quantityWh, tradeId } = slot.window;
      if (!(startMs < tsMs && tsMs <= endMs)) continue;
      const taken = Math.min(left, quantityWh - slot.deliveredWh);
      if (taken <= 0) continue;
      slot.deliveredWh += taken;
      left -= taken;
      (changed ??= []).push(tradeId);
    }
    return { changed: changed ?? NONE, stale: false, tsMs };
  }
}
