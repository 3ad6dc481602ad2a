// The Lightning side of `npm start`'s simulated site: one LND-compatible node per market participant (the site
// operator and the four prosumers), each prosumer with a channel to the operator, who routes between them. The
// network keeps its state, keys and macaroons under <userDir>/lightning, so a restart finds the same nodes. The flows
// find each node's socket and pubkey in FLAREGRID_LND_<ALIAS>_SOCKET / _PUBKEY; its TLS certificate and macaroon
// are credentials, never in a flow.
import { join } from 'node:path';
import type { Clock } from '../lib/clock';
import { startLightningNetwork, type LightningNetwork } from '../sim/lnd';
import { PROSUMERS, siteDefault } from './flows/site';
import type { WalletOutage } from './start-config';

/** The Lightning node of each participant, by participant id. */
export function lightningAliases(): string[] {
  return [siteDefault('FLAREGRID_OPERATOR'), ...PROSUMERS.map((p) => p.meterId)];
}

/** FLAREGRID_LND_PROSUMER_1 for prosumer-1. */
export function lndEnvPrefix(alias: string): string {
  return `FLAREGRID_LND_${alias.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** 2,000,000 sat a channel, half on each side: a day of a prosumer's draw at island prices is a few thousand sat. */
const CHANNEL_SAT = 2_000_000;
/**
 * The operator routes its prosumers' payments to each other for nothing: a payment for 100 Wh is a few sat, and
 * lnd's default 1 sat base fee would be more than the payers' fee limit (flaregrid-lnd: 5,000 ppm).
 */
const HUB_FEES = { feeBaseMsat: 0, feePpm: 0, toFeeBaseMsat: 0, toFeePpm: 0 };

export async function startSiteLightning(userDir: string, host: string, clock: Clock): Promise<LightningNetwork> {
  const [operator, ...prosumers] = lightningAliases();
  return startLightningNetwork({
    dir: join(userDir, 'lightning'),
    host,
    clock,
    nodes: lightningAliases().map((alias) => ({ alias, acceptsKeysend: true })),
    channels: prosumers.map((alias) => ({ from: alias, to: operator, capacitySat: CHANNEL_SAT, localSat: CHANNEL_SAT / 2, ...HUB_FEES })),
  });
}

export function lightningEnv(network: LightningNetwork): Record<string, string> {
  return Object.fromEntries(
    network.nodes.flatMap((node) => [
      [`${lndEnvPrefix(node.alias)}_SOCKET`, node.socket],
      [`${lndEnvPrefix(node.alias)}_PUBKEY`, node.pubkey],
    ]),
  );
}

/**
 * Empties a participant's wallet for a while (its node answers every payment with "insufficient balance"), so
 * its seller's gate cuts it off, and fills it again, so it pays up and is restored. @returns cancels the schedule
 */
export function scheduleWalletOutages(network: LightningNetwork, outages: readonly WalletOutage[], clock: Clock): () => void {
  const startMs = clock.nowMs();
  const timers = outages.flatMap((outage) => {
    const node = network.node(outage.participant);
    const set = (insufficientBalance: boolean) => () => void node.setFaults({ insufficientBalance });
    return [clock.setTimeout(set(true), outage.fromMs - (clock.nowMs() - startMs)), clock.setTimeout(set(false), outage.toMs - (clock.nowMs() - startMs))];
  });
  return () => timers.forEach((t) => t.cancel());
}
