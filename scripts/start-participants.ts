// The simulated market participants of `npm start`: the plant's four prosumers trade on the reference site's
// market (its id and rules are the defaults of the site settings, flows/00-site.json) over the embedded broker.
// Their registry goes to <userDir>/market/participants.json, which the reference matcher reads through
// FLAREGRID_MARKET_REGISTRY_FILE.
import { join } from 'node:path';
import type { Clock } from '../lib/clock';
import type { RunningPlant } from '../sim';
import { participantIdentities, registryOf, startParticipants, writeRegistry, type MarketRules, type ParticipantSpec, type RunningParticipants, type SigningIdentity } from '../sim/participants';
import { PROSUMERS, siteDefault } from './flows/site';
import type { FlowNode } from './start-flows';

/**
 * A site value as the deployed flows have it: the global configuration node's environment (flows/00-site.json),
 * or the reference default when the flows do not set it.
 */
export function siteValue(flows: readonly FlowNode[], name: string): string {
  const env = flows.find((n) => n.type === 'global-config')?.env;
  const entry = Array.isArray(env) ? (env as { name?: unknown; value?: unknown }[]).find((e) => e.name === name) : undefined;
  return typeof entry?.value === 'string' && entry.value !== '' ? entry.value : siteDefault(name);
}

/** The market's rules as the deployed matcher will read them, so the simulated participants follow them. */
export function siteMarketRules(flows: readonly FlowNode[]): MarketRules {
  const n = (name: string) => Number(siteValue(flows, name));
  return {
    market: siteValue(flows, 'FLAREGRID_MARKET'),
    slotMs: n('FLAREGRID_MARKET_SLOT_MIN') * 60_000,
    gateClosureLeadMs: n('FLAREGRID_MARKET_GATE_CLOSURE_S') * 1000,
    tickMsatPerKwh: n('FLAREGRID_MARKET_TICK_MSAT_PER_KWH'),
    priceFloorMsatPerKwh: n('FLAREGRID_MARKET_PRICE_FLOOR_MSAT_PER_KWH'),
    priceCapMsatPerKwh: n('FLAREGRID_MARKET_PRICE_CAP_MSAT_PER_KWH'),
  };
}

/**
 * Prosumer n trades as participant prosumer-n: it buys its draw at 80–160 sat/kWh (grid-parity energy is tens
 * of sats, an island pays more) from the site operator, the site's one seller. Its exports are not sold: a
 * buyer with trades from two sellers in one slot is not yet settled right (docs/flows-needs.md).
 */
export function siteParticipants(payTo: Readonly<Record<string, string>> = {}): ParticipantSpec[] {
  return PROSUMERS.map((p, i) => ({
    id: p.meterId,
    prosumer: i,
    ...(payTo[p.meterId] ? { payTo: payTo[p.meterId] } : {}),
    buySatPerKwh: [80, 160] as const,
  }));
}

export function registryFileOf(userDir: string): string {
  return join(userDir, 'market', 'participants.json');
}

export interface SiteParticipants {
  rules: MarketRules;
  specs: ParticipantSpec[];
  identities: Map<string, SigningIdentity>;
  registryFile: string;
}

/** Keys for this run and the registry file, written before Node-RED (and its matcher) starts. */
export function prepareSiteParticipants(userDir: string, flows: readonly FlowNode[], payTo: Readonly<Record<string, string>> = {}): SiteParticipants {
  const specs = siteParticipants(payTo);
  const identities = participantIdentities(specs);
  const registryFile = registryFileOf(userDir);
  writeRegistry(registryFile, registryOf(specs, identities));
  return { rules: siteMarketRules(flows), specs, identities, registryFile };
}

/** Starts them trading once the flows run. */
export function startSiteParticipants(prepared: SiteParticipants, options: { brokerUrl: string; clock: Clock; plant: RunningPlant; seed: number }): Promise<RunningParticipants> {
  return startParticipants({
    brokerUrl: options.brokerUrl,
    clock: options.clock,
    rules: prepared.rules,
    participants: prepared.specs,
    identities: prepared.identities,
    netDrawW: (i) => options.plant.physics.prosumers[i]?.netW ?? 0,
    seed: options.seed,
  });
}
