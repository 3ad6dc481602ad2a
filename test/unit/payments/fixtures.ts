// Hand-made trades and readings for the payment tests (the market's trades pass the same contract check).
import { isTrade } from '../../../lib/schemas';
import type { Trade } from '../../../lib/schemas/market';
import type { MeterReading } from '../../../lib/schemas/metering';

export const SELLER_NODE = '02' + 'ab'.repeat(32);
export const T0 = Date.parse('2026-12-01T06:00:00.000Z');

export function trade(overrides: Partial<Trade> = {}): Trade {
  const value: Trade = {
    type: 'trade',
    id: 'm1:slot-0600:1',
    market: 'm1',
    buyOrderId: 'b-1',
    sellOrderId: 's-1',
    buyer: 'prosumer-a',
    seller: 'genset-co',
    payTo: SELLER_NODE,
    quantityWh: 5000,
    priceMsatPerKwh: 90_123,
    feeMsatPerKwh: 1_001,
    deliveryStart: new Date(T0).toISOString(),
    deliveryEnd: new Date(T0 + 15 * 60_000).toISOString(),
    matchedAt: new Date(T0 - 60_000).toISOString(),
    mode: 'continuous',
    ...overrides,
  };
  if (!isTrade(value)) throw new Error(isTrade.problems(value).join('; '));
  return value;
}

export function reading(counterWh: number, atMs: number, overrides: Partial<MeterReading> = {}): MeterReading {
  return {
    site: 'well-7',
    meterId: 'meter-a',
    role: 'prosumer',
    ts: new Date(atMs).toISOString(),
    powerW: -20_000,
    energyInWh: 0,
    energyOutWh: counterWh,
    quality: 'good',
    ...overrides,
  };
}
