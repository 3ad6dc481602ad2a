// The JavaScript of the site control flow's function nodes.

/** Each PowerTarget to the flaregrid-miner node of its miner's group (FLAREGRID_MINER_GROUPS, in its order). */
export function toGroupsCode(groups: number): string {
  return `// msg: a PowerTarget from dispatch. Out: the same message on the output of its miner's group.
const groups = env.get('FLAREGRID_MINER_GROUPS') || {};
const names = Object.keys(groups);
const index = names.findIndex((name) => (groups[name] || []).includes(msg.payload && msg.payload.minerId));
if (index < 0 || index >= ${groups}) {
    node.error('miner ' + (msg.payload && msg.payload.minerId) + ' is in no group of FLAREGRID_MINER_GROUPS', msg);
    return null;
}
const out = new Array(${groups}).fill(null);
out[index] = msg;
return out;`;
}

/** The dispatch parameters the site control flow takes from the site settings, and their variables. */
export const DISPATCH_FROM_SITE: Readonly<Record<string, string>> = {
  gensetRatingKw: 'FLAREGRID_GENSET_RATED_KW',
  gensetMinLoadPct: 'FLAREGRID_GENSET_MIN_LOAD_PCT',
  gensetSoftMinPct: 'FLAREGRID_GENSET_SOFT_MIN_PCT',
  hashpriceSatPerThDay: 'FLAREGRID_HASHPRICE_SAT_PER_TH_DAY',
};

/**
 * Where the reference site's dispatch differs from dispatch's defaults. Stale after: three miner polls
 * (FLAREGRID_MINER_POLL_S, 5 s), so that telemetry is stale only when a miner missed two reads.
 */
export const DISPATCH_OVERRIDES: Readonly<Record<string, number>> = { staleAfterS: 15 };
