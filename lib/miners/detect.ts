// Which firmware a miner runs, from its own answers (the way pyasic's factory tells them apart): the 4028
// `version` reply names LUXminer, BOSminer or BMMiner; a miner whose 4028 socket is closed but which answers
// GET /api/v1/version is Braiins OS. Detection runs once per connection, not on every poll.
import { cgminerCommand } from './cgminer-client';
import { MinerError, asMinerError } from './errors';
import { httpJson } from './http-json';
import { BmminerDriver } from './dialects/bmminer';
import { BraiinsDriver } from './dialects/braiins';
import { LuxosDriver } from './dialects/luxos';
import type { Dialect, DriverContext, MinerDriver } from './types';

export async function detectDialect(ctx: DriverContext): Promise<Dialect> {
  const { address, clock, timeoutMs } = ctx;
  let first: MinerError;
  try {
    const reply = await cgminerCommand({ host: address.host, port: address.apiPort }, 'version', undefined, { clock, timeoutMs });
    const text = JSON.stringify(reply).toUpperCase();
    if (text.includes('LUXMINER')) return 'luxos';
    if (text.includes('BOSMINER') || text.includes('BOSER')) return 'braiins';
    if (text.includes('BMMINER') || text.includes('ANTMINER') || text.includes('CGMINER')) return 'bmminer';
    first = new MinerError('UNSUPPORTED', `the miner's version answer names no firmware FlareGrid drives (LuxOS, Braiins OS, stock Antminer)`);
  } catch (err) {
    first = asMinerError(err, `miner ${address.host}:${address.apiPort}`);
  }
  try {
    await httpJson({ host: address.host, port: address.restPort }, 'GET', '/api/v1/version', { clock, timeoutMs });
    return 'braiins';
  } catch {
    throw first;
  }
}

export function createDriver(dialect: Dialect, ctx: DriverContext, ratedPowerW: number): MinerDriver {
  switch (dialect) {
    case 'luxos':
      return new LuxosDriver(ctx);
    case 'braiins':
      return new BraiinsDriver(ctx);
    case 'bmminer':
      return new BmminerDriver(ctx, ratedPowerW);
  }
}
