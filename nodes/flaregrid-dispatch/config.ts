// flaregrid-dispatch's edit-dialog fields as controller options, and its msg inputs. The parameters themselves
// (units, defaults, ranges) live once in lib/control/dispatch/params.ts.
import {
  DEFAULT_DISPATCH_PARAMS,
  DispatchError,
  NUMERIC_PARAMS,
  parseMinerIds,
  parsePriorities,
  type DispatchController,
  type DispatchControllerOptions,
} from '../../lib/control/dispatch';
import { ID_PATTERN } from '../../lib/schemas/kit';
import type { NodeDefinition, NodeMessage } from '../shared/red';

export interface DispatchNodeConfig extends NodeDefinition {
  site?: string;
  miners?: string;
  priorities?: string;
  [param: string]: unknown;
}

const PARAM_KEYS = new Set(Object.keys(DEFAULT_DISPATCH_PARAMS));
const ID = new RegExp(ID_PATTERN);

/** The dialog's fields as controller options. @throws Error or DispatchError naming the field */
export function readDispatchConfig(config: DispatchNodeConfig): DispatchControllerOptions {
  const site = String(config.site ?? '').trim();
  if (!ID.test(site)) throw new Error(`Site must be 1 to 64 letters, digits or _ . : -, e.g. well-7; got '${site}'`);
  const params: Record<string, unknown> = {};
  for (const spec of NUMERIC_PARAMS) if (config[spec.key] !== undefined && config[spec.key] !== '') params[spec.key] = config[spec.key];
  for (const key of ['priorityMode', 'timerMode', 'economicMode'] as const) if (config[key] !== undefined && config[key] !== '') params[key] = config[key];
  return { site, params, miners: parseMinerIds(String(config.miners ?? '')), priorities: parsePriorities(String(config.priorities ?? '')) };
}

/** What an input message was, for the status and the decision that follows. */
export type Routed =
  | { kind: 'balance' }
  | { kind: 'telemetry'; count: number }
  | { kind: 'genset'; count: number }
  | { kind: 'params'; keys: string[] }
  | { kind: 'pin'; minerId: string };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Hands one msg to the controller: parameter overrides (`msg.params`, topic `params`, or a topic naming one
 * parameter with the value in payload, as a dashboard slider sends it), a pin (topic `pin`), a SiteBalance, or
 * MinerTelemetry / genset MeterReadings (one or a list, all checked before any is taken).
 * @throws Error, ContractError or DispatchError with the reason; nothing is taken then
 */
export function route(controller: DispatchController, msg: NodeMessage, nowMs: number): Routed {
  const { topic, payload } = msg;
  if (msg.params !== undefined || topic === 'params') {
    const changes = msg.params ?? payload;
    if (!isObject(changes)) throw new DispatchError('PARAM_INVALID', 'parameter overrides must be an object, e.g. {"reserveKw": 50}');
    controller.setParams(changes);
    return { kind: 'params', keys: Object.keys(changes) };
  }
  if (typeof topic === 'string' && PARAM_KEYS.has(topic)) {
    controller.setParams({ [topic]: payload });
    return { kind: 'params', keys: [topic] };
  }
  if (topic === 'pin') {
    if (!isObject(payload)) throw new DispatchError('TARGET_INVALID', 'a pin is {"minerId": "...", "targetW": N} (null releases it)');
    controller.pin(payload.minerId, payload.targetW);
    return { kind: 'pin', minerId: String(payload.minerId) };
  }
  if (isObject(payload) && 'surplusW' in payload) {
    controller.onBalance(payload, nowMs);
    return { kind: 'balance' };
  }
  const items = Array.isArray(payload) ? payload : [payload];
  if (items.length === 0) throw new Error('msg.payload is an empty list');
  if (items.every((item) => isObject(item) && 'minerId' in item)) {
    items.forEach((item, i) => withIndex(items.length, i, () => controller.checkTelemetry(item)));
    for (const item of items) controller.onTelemetry(item, nowMs);
    return { kind: 'telemetry', count: items.length };
  }
  if (items.every((item) => isObject(item) && 'meterId' in item)) {
    items.forEach((item, i) => withIndex(items.length, i, () => controller.checkGensetReading(item)));
    for (const item of items) controller.onGensetReading(item, nowMs);
    return { kind: 'genset', count: items.length };
  }
  throw new Error('msg.payload is not a SiteBalance, MinerTelemetry (or a list of them) or a genset MeterReading; parameters go in msg.params');
}

function withIndex(count: number, index: number, check: () => unknown): void {
  try {
    check();
  } catch (err) {
    if (count > 1) (err as Error).message = `item ${index} of the list: ${(err as Error).message}`;
    throw err;
  }
}
