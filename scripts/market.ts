// `npm run market -- clear FILE.json [--settings SETTINGS.json] [--mechanism pay-as-clear|trade-reduction]`
//   Clears one slot's orders (a JSON array of Orders) by the market's rule and prints the trades and the
//   clearing summary as JSON. Settings default to defaultMarketSettings of the orders' market in auction mode;
//   a continuous market's settings match the orders in file order. Orders are checked as the matcher checks
//   them, except for times and signatures (an auditor clears a file after the fact); refused ones are listed.
// `npm run market -- replay JOURNAL_DIR`
//   Checks a market journal's hash chain (read-only), replays it and prints its state hash.
// Exit codes: 0 done, 1 the journal is broken or does not replay, 2 bad arguments or input.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readJournal } from '../lib/journal';
import { defaultMarketSettings, MarketError, ParticipantRegistry, validateMarketSettings, type MarketSettings } from '../lib/market';
import { Engine } from '../lib/market/engine';
import { engineHash, type EngineState } from '../lib/market/engine-state';
import { emptyOutcome } from '../lib/market/outcome';
import { replayState, type MarketRecord } from '../lib/market/records';
import { admit } from '../lib/market/validate';
import type { JournalEntry } from '../lib/journal';
import type { Reject } from '../lib/schemas';

class UsageError extends Error {
  readonly code = 'USAGE';
}

const USAGE = 'usage: npm run market -- clear FILE.json [--settings SETTINGS.json] [--mechanism pay-as-clear|trade-reduction]\n       npm run market -- replay JOURNAL_DIR';

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`${what} ${file} cannot be read as JSON: ${(err as Error).message}`);
  }
}

function clear(file: string, settingsFile: string | undefined, mechanism: string | undefined): unknown {
  const orders = readJson(file, 'the orders file');
  if (!Array.isArray(orders) || orders.length === 0) throw new UsageError(`${file} must hold a JSON array of Orders`);
  const first = orders[0] as { market?: unknown; deliveryStart?: unknown };
  if (typeof first.market !== 'string' || typeof first.deliveryStart !== 'string') throw new UsageError(`${file}: the first order needs a market and a deliveryStart`);
  const given = settingsFile === undefined ? { ...defaultMarketSettings(first.market), mode: 'auction' } : (readJson(settingsFile, 'the settings file') as object);
  // Admission's flood limits are not part of the rule: an audit clears every order of the file.
  const settings: MarketSettings = validateMarketSettings({ ...given, ...(mechanism ? { mechanism } : {}), maxOpenOrdersPerParticipant: Number.MAX_SAFE_INTEGER });
  const slotStartMs = Date.parse(first.deliveryStart);
  // Orders are admitted just before the slot's gate closes, and the auction runs at its closure.
  const gateMs = slotStartMs - settings.gateClosureLeadMs;
  const atMs = gateMs - 1;
  const engine = new Engine(settings);
  const out = emptyOutcome();
  const rejects: Reject[] = [];
  const registry = new ParticipantRegistry();
  for (const message of orders) {
    const verdict = admit(message, { engine, registry, nowMs: atMs, checkTimeAndIdentity: false });
    if (verdict.kind === 'reject') rejects.push(verdict.reject);
    else if (verdict.kind === 'cancel') rejects.push({ type: 'reject', orderId: verdict.cancel.id, reason: 'malformed', message: 'the file must hold orders only, not cancels', order: message });
    else if (verdict.kind === 'order' && Date.parse(verdict.order.deliveryStart) !== slotStartMs) {
      rejects.push({ type: 'reject', orderId: verdict.order.id, reason: 'window-unaligned', message: `deliveryStart must be ${first.deliveryStart}, the slot of the file's first order`, order: message });
    } else if (verdict.kind === 'order') engine.place(verdict.order, verdict.meta, atMs, out);
  }
  if (settings.mode === 'auction') engine.clear(gateMs, out);
  return { market: settings.market, mode: settings.mode, mechanism: settings.mechanism, deliveryStart: first.deliveryStart, trades: out.trades, clearing: out.clearings[0], removed: out.removed, rejects };
}

async function replay(dir: string): Promise<{ code: number; result: unknown }> {
  const { report, snapshot, entries } = await readJournal(dir);
  if (!report.ok) return { code: 1, result: { ok: false, problem: report.problem } };
  try {
    const replayer = replayState(snapshot?.state as EngineState | undefined);
    for (const entry of entries) replayer.apply(entry as JournalEntry<MarketRecord>);
    const engine = replayer.engine;
    return {
      code: 0,
      result: {
        ok: true,
        market: engine?.settings.market,
        records: report.records,
        lastSeq: report.lastSeq,
        headHash: report.headHash,
        anchor: report.anchor,
        tornTail: report.tornTail,
        stateHash: engine === undefined ? undefined : engineHash(engine),
        openOrders: engine === undefined ? 0 : [...engine.slots.values()].reduce((sum, slot) => sum + slot.openOrders(), 0),
        unjournalledTrades: replayer.pending.map((t) => t.id),
      },
    };
  } catch (err) {
    if (err instanceof MarketError) return { code: 1, result: { ok: false, problem: { code: err.code, message: err.message } } };
    throw err;
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { settings: { type: 'string' }, mechanism: { type: 'string' } } });
  const [command, target] = positionals;
  if (command === 'clear' && target !== undefined) {
    process.stdout.write(`${JSON.stringify(clear(target, values.settings, values.mechanism), null, 2)}\n`);
    return 0;
  }
  if (command === 'replay' && target !== undefined) {
    const { code, result } = await replay(target);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return code;
  }
  throw new UsageError(USAGE);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`market: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = err instanceof UsageError || err instanceof MarketError ? 2 : 1;
  },
);
