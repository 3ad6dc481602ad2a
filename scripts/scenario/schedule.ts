// The day's gas events and the stale-data event of the site (docs/dispatch.md), drawn once per seed so that both runs
// (FlareGrid and the baseline) meet the same day: 4 slugs (×1.25–1.4 for 2–8 min), 2 dips (×0.4–0.6 for
// 5–20 min), 1 shut-in (×0 for 20 min) and 30 s without genset readings, never overlapping.
import { GAS_EVENTS, Prng, type GasEventKind } from '../../sim/plant';

export interface ScheduledEvent {
  kind: Exclude<GasEventKind, 'step'> | 'stale-data';
  factor: number;
  startMs: number;
  endMs: number;
}

/** No two events within this of each other, so that each one's effect can be read on the plot. */
const GAP_MS = 20 * 60_000;
const STALE_DATA_MS = 30_000;

export function daySchedule(seed: number, startMs: number, durationMs: number): ScheduledEvent[] {
  // Its own stream: the plant's stream then draws the same noise whatever the schedule.
  const prng = new Prng((seed * 2_654_435_761) ^ 0x5ca1ab1e);
  const shapes: Array<[ScheduledEvent['kind'], { minFactor: number; maxFactor: number; minMs: number; maxMs: number }, number]> = [
    ['shut-in', GAS_EVENTS.shutIn, GAS_EVENTS.shutIn.perDay],
    ['dip', GAS_EVENTS.dip, GAS_EVENTS.dip.perDay],
    ['slug', GAS_EVENTS.slug, GAS_EVENTS.slug.perDay],
    ['stale-data', { minFactor: 1, maxFactor: 1, minMs: STALE_DATA_MS, maxMs: STALE_DATA_MS }, 1],
  ];
  const events: ScheduledEvent[] = [];
  const scale = durationMs / 86_400_000;
  for (const [kind, shape, perDay] of shapes) {
    const count = Math.max(kind === 'stale-data' ? 1 : 0, Math.round(perDay * scale));
    for (let i = 0; i < count; i++) {
      const lengthMs = Math.round(prng.between(shape.minMs, shape.maxMs));
      const factor = prng.between(shape.minFactor, shape.maxFactor);
      for (let attempt = 0; attempt < 200; attempt++) {
        const at = startMs + GAP_MS + Math.round(prng.next() * Math.max(0, durationMs - 2 * GAP_MS - lengthMs));
        const clash = events.some((e) => at < e.endMs + GAP_MS && e.startMs < at + lengthMs + GAP_MS);
        if (!clash || attempt === 199) {
          events.push({ kind, factor, startMs: at, endMs: at + lengthMs });
          break;
        }
      }
    }
  }
  return events.sort((a, b) => a.startMs - b.startMs);
}
