// accountingTicksPerSec: the stream's accounting in lib alone, no I/O: one tick is one reading of the buyer's
// meter shared among its trades (delivery.ts) and the trade stream told and asked what to pay (stream.ts),
// with the payment it plans (a derived preimage, every 100th tick) confirmed at once.
import { MeterAllocator } from '../../lib/payments/delivery';
import { TradeStream, type StreamSettings } from '../../lib/payments/stream';
import type { MeterReading } from '../../lib/schemas/metering';
import type { Trade } from '../../lib/schemas/market';

const SETTINGS: StreamSettings = { mode: 'keysend', stepWh: 100, stepMs: 60_000, toleranceWh: 5, minPaymentMsat: 1000, closeAfterMs: 30_000, giveUpAfterMs: 600_000 };
const SECRET = '5e'.repeat(32);

export function accountingBench(ticks = 2_000_000): number {
  const startMs = Date.UTC(2026, 11, 1, 6);
  const trade: Trade = {
    type: 'trade', id: 'bench:1', market: 'bench', buyOrderId: 'b', sellOrderId: 's', buyer: 'prosumer-a', seller: 'genset-co',
    payTo: '02' + 'ab'.repeat(32), quantityWh: 10 ** 12, priceMsatPerKwh: 90_123, feeMsatPerKwh: 1_001,
    deliveryStart: new Date(startMs).toISOString(), deliveryEnd: new Date(startMs + 10 * 86_400_000).toISOString(), matchedAt: new Date(startMs).toISOString(), mode: 'continuous',
  };
  const meter = new MeterAllocator('meter-a', { counterWh: 0, tsMs: startMs });
  meter.addTrade({ tradeId: trade.id, startMs, endMs: startMs + 10 * 86_400_000, quantityWh: trade.quantityWh });
  const stream = TradeStream.start(trade, 'prosumer-a', 'meter-a', SETTINGS, startMs, 0);
  // Readings are made in chunks before the clock runs (the meter node's work, not the accounting's); parsing
  // their timestamps is the accounting's.
  const CHUNK = 100_000;
  let paid = 0;
  let elapsedMs = 0;
  for (let first = 1; first <= ticks; first += CHUNK) {
    const readings: MeterReading[] = Array.from({ length: Math.min(CHUNK, ticks - first + 1) }, (_, k) => ({
      site: 'well-7', meterId: 'meter-a', role: 'prosumer', ts: new Date(startMs + (first + k) * 100).toISOString(), powerW: -3600, energyInWh: 0, energyOutWh: first + k, quality: 'good',
    }));
    const started = performance.now();
    for (let k = 0; k < readings.length; k++) {
      const i = first + k;
      meter.admit(readings[k]);
      stream.setDelivered(meter.deliveredWh(trade.id), i);
      const plan = stream.plan(startMs + i * 100, SECRET, Number.MAX_SAFE_INTEGER);
      if (plan.kind === 'pay') {
        stream.confirmed(plan.payment.interval, 0, startMs + i * 100);
        paid++;
      }
    }
    elapsedMs += performance.now() - started;
  }
  const seconds = elapsedMs / 1000;
  if (paid !== Math.floor(ticks / 100)) throw new Error(`the accounting bench paid ${paid} intervals, expected ${Math.floor(ticks / 100)}`);
  return ticks / seconds;
}
