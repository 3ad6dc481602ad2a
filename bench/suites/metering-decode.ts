// Benchmark of lib/metering's decoder: how many register blocks one core decodes per second, alternating an
// FG-PM1 poll (CDAB 32/64-bit integers) and an FG-BM1 SunSpec poll (int16 + scale factors, acc32), each
// through a decoder compiled once, as the flaregrid-meter node uses it.

import { compileProfile, type CompiledProfile } from '../../lib/metering/decode';
import { loadBuiltinProfiles } from '../../lib/metering/profiles';
import type { RegisterBlock } from '../../lib/metering/types';

export interface DecodeBenchResult {
  suite: 'metering';
  metric: 'decodeBlocksPerSec';
  value: number;
  unit: 'blocks/s';
}

export interface DecodeBenchOptions {
  /** how long to measure, ms (default 2000) */
  durationMs?: number;
}

// FG-PM1 holding registers 0-13: 380.5 V, -12.345 A, 4,691 W, 123,456,789,012 Wh forward, 987,654 Wh reverse.
const PM1_REGISTERS = [3805, 0xcfc7, 0xffff, 0x1253, 0, 0x1a14, 0xbe99, 0x001c, 0, 0x1206, 0x000f, 0, 0, 0];

// FG-BM1 model 201 points 40072-40124: 123.4 A, 380.2 V, 46,800 W, 123,456 Wh forward; the rest not implemented.
function bm1Registers(): number[] {
  const points = new Array<number>(53).fill(0x8000);
  Object.assign(points, { 0: 1234, 4: 0xffff, 5: 3802, 13: 0xffff, 16: 4680, 20: 1, 36: 0, 37: 0, 44: 1, 45: 0xe240, 52: 0 });
  return points;
}

function decoderFor(id: string): CompiledProfile {
  const profile = loadBuiltinProfiles().find((p) => p.id === id);
  if (profile === undefined) throw new Error(`built-in profile ${id} is missing`);
  return compileProfile(profile);
}

/** Yields the figure the bench runner records; the loop is bounded by time and checks its own results. */
export async function decodeBench(options: DecodeBenchOptions = {}): Promise<DecodeBenchResult> {
  const durationMs = options.durationMs ?? 2000;
  const pm1 = decoderFor('flaregrid-pm1');
  const bm1 = decoderFor('flaregrid-bm1');
  const pm1Blocks: RegisterBlock[] = [{ fc: 3, address: 0, registers: PM1_REGISTERS }];
  const bm1Blocks: RegisterBlock[] = [{ fc: 3, address: 40072, registers: bm1Registers() }];
  const batch = 10_000;
  let blocks = 0;
  let checksum = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    for (let i = 0; i < batch; i += 2) {
      checksum += pm1.decode(pm1Blocks).powerW ?? 0;
      checksum += bm1.decode(bm1Blocks).powerW ?? 0;
    }
    blocks += batch;
    elapsed = performance.now() - start;
  }
  // Using every result keeps the work from being optimised away, and catches a decoder gone wrong.
  if (checksum !== (blocks / 2) * (4691 + 46_800)) throw new Error('metering decode bench: decoded values are wrong');
  return { suite: 'metering', metric: 'decodeBlocksPerSec', value: Math.round(blocks / (elapsed / 1000)), unit: 'blocks/s' };
}
