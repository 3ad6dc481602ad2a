// The site's miners as flaregrid-miner nodes, one per container (a miner group), with the access node they share.
import { CONTAINERS, siteMiners, type SiteMiner } from '../site-fleet';
import { Flow, type FlowNode } from './kit';
import { env } from './site';

export function minerAccess(flow: Flow): FlowNode {
  return flow.config('miner-access', 'flaregrid-miner-api', {
    name: 'site miners',
    dialect: 'auto',
    apiPort: 4028,
    restPort: 80,
    commandTimeoutS: 5,
    breakerFailures: 3,
  });
}

/** One row of a flaregrid-miner's list: the addresses come from the environment npm start sets. */
export function minerRow(m: SiteMiner): Record<string, string> {
  return {
    minerId: m.minerId,
    host: env('FLAREGRID_MINER_HOST'),
    apiPort: env(`FLAREGRID_MINER_${m.n}_PORT`),
    restPort: m.dialect === 'braiins' ? env(`FLAREGRID_MINER_${m.n}_REST_PORT`) : '',
    dialect: m.dialect,
  };
}

export const containerName = (c: number) => `container ${c}`;

/** The first miner id of each container and the last, for a switch that routes targets to their container. */
export function containerRanges(): { container: number; first: number; last: number }[] {
  const all = siteMiners();
  return Array.from({ length: CONTAINERS }, (_, i) => {
    const inside = all.filter((m) => m.container === i + 1);
    return { container: i + 1, first: inside[0].n, last: inside[inside.length - 1].n };
  });
}

export function containerMinerNode(flow: Flow, container: number, access: FlowNode, at: { col: number; row: number }): FlowNode {
  return flow.node(
    `miners:${container}`,
    'flaregrid-miner',
    {
      name: containerName(container),
      configVersion: 0,
      site: env('FLAREGRID_SITE'),
      access: access.id,
      miners: siteMiners()
        .filter((m) => m.container === container)
        .map(minerRow),
      pollIntervalS: env('FLAREGRID_MINER_POLL_S'),
      confirmTimeoutS: 120,
      ratedPowerW: 3500,
    },
    at,
  );
}
