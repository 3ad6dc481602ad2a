// What the engine derives once from a market's settings: the price grid, the slot clock and the zone rules.

import { sha256Hex } from '../canonical-json';
import type { MarketSettings } from './settings';

/** The zone rules: a fee and a cap per ordered zone pair (seller's zone → buyer's zone). */
export class ZoneRules {
  private readonly fees = new Map<string, number>();
  private readonly caps = new Map<string, number>();
  /** false when the market has no fee and no cap: every order is then filed under one book zone */
  readonly active: boolean;

  constructor(zones: MarketSettings['zones']) {
    for (const fee of zones?.fees ?? []) this.fees.set(pairKey(fee.from, fee.to), fee.feeMsatPerKwh);
    for (const cap of zones?.capsWh ?? []) this.caps.set(pairKey(cap.from, cap.to), cap.capWh);
    this.active = this.fees.size + this.caps.size > 0;
  }

  fee(from: string, to: string): number {
    return from === to ? 0 : (this.fees.get(pairKey(from, to)) ?? 0);
  }

  /** the cap of energy from `from` to `to` per slot; Infinity when there is none */
  cap(from: string, to: string): number {
    return from === to ? Infinity : (this.caps.get(pairKey(from, to)) ?? Infinity);
  }
}

export function pairKey(from: string, to: string): string {
  return `${from}>${to}`;
}

export class MarketRules {
  readonly zones: ZoneRules;
  readonly levelCount: number;
  private readonly marketIdPart: string;

  constructor(readonly settings: MarketSettings) {
    this.zones = new ZoneRules(settings.zones);
    this.levelCount = (settings.priceCapMsatPerKwh - settings.priceFloorMsatPerKwh) / settings.tickMsatPerKwh + 1;
    // Trade ids must fit the 64-character id pattern: a long market id is replaced by a digest of it.
    this.marketIdPart = settings.market.length <= 40 ? settings.market : sha256Hex(settings.market).slice(0, 16);
  }

  /** the level index of a price on the grid, -1 when it is off the grid or out of bounds */
  indexOf(price: number): number {
    const { priceFloorMsatPerKwh: floor, priceCapMsatPerKwh: cap, tickMsatPerKwh: tick } = this.settings;
    if (price < floor || price > cap || (price - floor) % tick !== 0) return -1;
    return (price - floor) / tick;
  }

  priceOf = (index: number): number => this.settings.priceFloorMsatPerKwh + index * this.settings.tickMsatPerKwh;

  gateClosureMs(slotStartMs: number): number {
    return slotStartMs - this.settings.gateClosureLeadMs;
  }

  /** trade ids are `<market>:<slot start, YYYYMMDDTHHMM UTC>:<n>`: the same trade gets the same id on every replay */
  tradeIdPrefix(slotStartMs: number): string {
    const slot = new Date(slotStartMs).toISOString().replace(/[-:]/g, '').slice(0, 13);
    return `${this.marketIdPart}:${slot}:`;
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
