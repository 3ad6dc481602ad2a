// Miner id lists as a plant engineer writes them for a fleet of 180: "s21-001..180, spare-1" expands the range
// with the first id's zero padding; "s21-001..040=10, s21-041..180=5" gives fixed priorities.
import { ID_PATTERN } from '../../schemas/kit';
import { DispatchError } from './errors';

const ID = new RegExp(ID_PATTERN);
const RANGE = /^(.*?)(\d+)\.\.(?:\1)?(\d+)$/;
/** a list of 10,000 ids is far beyond one site's fleet and would only be a typing slip */
const MAX_IDS = 10_000;

/** Expands one item: an id, or `prefixNNN..MMM` (the second may repeat the prefix). */
function expand(item: string): string[] {
  const range = RANGE.exec(item);
  if (!range) {
    if (!ID.test(item)) throw new DispatchError('PARAM_INVALID', `miner id '${item}' must be 1 to 64 letters, digits or _ . : -`);
    return [item];
  }
  const [, prefix, fromText, toText] = range as unknown as [string, string, string, string];
  const from = Number(fromText);
  const to = Number(toText);
  if (to < from) throw new DispatchError('PARAM_INVALID', `miner range '${item}' runs backwards`);
  if (to - from >= MAX_IDS) throw new DispatchError('PARAM_INVALID', `miner range '${item}' has more than ${MAX_IDS} ids`);
  const ids: string[] = [];
  for (let n = from; n <= to; n++) ids.push(`${prefix}${String(n).padStart(fromText.length, '0')}`);
  for (const id of ids) if (!ID.test(id)) throw new DispatchError('PARAM_INVALID', `miner id '${id}' from '${item}' is not a valid id`);
  return ids;
}

function items(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** "a, b..c" → the ids, each once, in order. @throws DispatchError PARAM_INVALID */
export function parseMinerIds(text: string): string[] {
  const ids = new Set<string>();
  for (const item of items(text)) for (const id of expand(item)) ids.add(id);
  if (ids.size > MAX_IDS) throw new DispatchError('PARAM_INVALID', `the miner list has more than ${MAX_IDS} ids`);
  return [...ids];
}

/** "a..c=10, d=5" → id → priority (a whole number; higher stays on longest). @throws DispatchError PARAM_INVALID */
export function parsePriorities(text: string): Map<string, number> {
  const priorities = new Map<string, number>();
  for (const item of items(text)) {
    const at = item.lastIndexOf('=');
    const value = at < 0 ? NaN : Number(item.slice(at + 1).trim());
    if (at < 0 || !Number.isInteger(value) || Math.abs(value) > 1_000_000) {
      throw new DispatchError('PARAM_INVALID', `priority '${item}' must read id=N or from..to=N with N a whole number`);
    }
    for (const id of expand(item.slice(0, at).trim())) priorities.set(id, value);
  }
  return priorities;
}
