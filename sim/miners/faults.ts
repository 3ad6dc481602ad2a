// The faults a test can switch on for one simulated miner. Wire faults act on every API face of the miner (the
// 4028 socket and the REST server); model faults act on its dynamics (sim/miners/model.ts).
import { SimError } from '../errors';
import type { ModelFault } from './model';

/**
 * stall: accepts and reads the request, never answers (the socket stays open);
 * truncate: answers half of the reply, then closes;
 * split: answers in several writes on separate turns of the event loop (valid once reassembled);
 * not-ready: every command answers "Not ready", as during a restart;
 * drop: closes the connection as soon as the request is in, without a byte;
 * garbage: answers bytes that are not JSON;
 * offline: stops listening: connections are refused until the fault is cleared.
 */
export const WIRE_FAULTS = ['stall', 'truncate', 'split', 'not-ready', 'drop', 'garbage', 'offline'] as const;
export type WireFault = (typeof WIRE_FAULTS)[number];

/** Model faults: `hashboard` (one board of three fails), `ignore-below-floor` (a target under the floor is
 * acknowledged and silently ignored). */
export const MODEL_FAULTS: readonly ModelFault[] = ['hashboard', 'ignore-below-floor'];
export type MinerFault = WireFault | ModelFault;

export function isWireFault(fault: string): fault is WireFault {
  return (WIRE_FAULTS as readonly string[]).includes(fault);
}

export function checkFault(fault: string): MinerFault {
  if (isWireFault(fault) || (MODEL_FAULTS as readonly string[]).includes(fault)) return fault as MinerFault;
  throw new SimError('ERR_FAULT', `no miner fault '${fault}' (${[...WIRE_FAULTS, ...MODEL_FAULTS].join(', ')})`);
}

/** What a face does with one reply under the wire faults now on. */
export type ReplyPlan = 'answer' | 'stall' | 'truncate' | 'split' | 'drop' | 'garbage';

export function replyPlan(faults: ReadonlySet<MinerFault>): ReplyPlan {
  for (const plan of ['stall', 'drop', 'garbage', 'truncate', 'split'] as const) if (faults.has(plan)) return plan;
  return 'answer';
}

/** A reply that is not JSON: an HTML error page with a stray NUL and high bytes, as a confused web server sends. */
export const GARBAGE_BYTES = Buffer.concat([Buffer.from('<html><body>502 Bad Gateway'), Buffer.from([0x00, 0xff, 0xfe]), Buffer.from('</body>')]);
