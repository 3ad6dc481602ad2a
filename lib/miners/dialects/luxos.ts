// LuxOS over its 4028 API (docs.luxor.tech/firmware/api): reads `summary+stats+power+config+events` in one
// joined request; sets power by profile (`profiles` lists each one's Watts; `profileset <sid>,<name>`), sleeps
// and wakes with `curtail <sid>,sleep|wakeup`. Writes need the miner's only session: it is opened for the writes
// that need it and closed after (`logoff`), as Luxor asks, so other tools can act; a shed and a slow write in
// flight share it; the next write after that opens a new one. A session held by another program is SESSION_BUSY (retried); ATM is switched off before a
// profile is set, since profileset needs it off.
import { cgminerCommand, joinedSection, type CgminerReply } from '../cgminer-client';
import { MinerError } from '../errors';
import { num, rows, type DriverContext, type MinerDriver, type MinerLimits, type MinerSample } from '../types';
import { chainStats, summaryHashrateThs } from './cgminer-stats';

interface Profile {
  name: string;
  watts: number;
}

export class LuxosDriver implements MinerDriver {
  readonly dialect = 'luxos' as const;
  readonly canControl = true;
  private profiles: Profile[] | undefined;
  private session: { id: Promise<string>; users: number } | undefined;

  constructor(private readonly ctx: DriverContext) {}

  async open(): Promise<void> {}

  async read(): Promise<MinerSample> {
    const reply = await this.command('summary+stats+power+config+events');
    const events = rows(joinedSection(reply, 'events'), 'EVENTS').map((e) => String(e.Code ?? ''));
    const mining = !events.includes('SLEEP');
    const hashrateThs = summaryHashrateThs(rows(joinedSection(reply, 'summary'), 'SUMMARY')[0]);
    const chains = chainStats(rows(joinedSection(reply, 'stats'), 'STATS')[1], mining);
    const watts = num(rows(joinedSection(reply, 'power'), 'POWER')[0]?.Watts);
    const profileName = rows(joinedSection(reply, 'config'), 'CONFIG')[0]?.Profile;
    const profile = (await this.profileList()).find((p) => p.name === profileName);
    const failures = events.filter((code) => code.startsWith('BOARD_'));
    return {
      mining,
      hashrateThs,
      powerW: watts,
      powerLimitW: profile?.watts,
      ...chains,
      boardsFailed: Math.max(chains.boardsFailed, failures.length),
      errors: failures,
    };
  }

  async limits(): Promise<MinerLimits> {
    const levels = [...new Set((await this.profileList()).map((p) => p.watts))].sort((a, b) => a - b);
    if (levels.length === 0) throw new MinerError('API_ERROR', 'the miner lists no profiles to set its power by');
    const gaps = levels.slice(1).map((w, i) => w - levels[i]!);
    return { minW: levels[0]!, maxW: levels.at(-1)!, stepW: gaps.length > 0 ? Math.min(...gaps) : 1, levelsW: levels };
  }

  async setPowerLimit(watts: number): Promise<number> {
    const profile = (await this.profileList()).filter((p) => p.watts <= watts).sort((a, b) => b.watts - a.watts)[0];
    if (!profile) throw new MinerError('INVALID_TARGET', `no LuxOS profile at or under ${watts} W`);
    await this.withSession(async (sid) => {
      const atm = rows(await this.command('atm'), 'ATM')[0];
      if (atm?.Enabled === true) await this.command('atmset', `${sid},enabled=false`);
      const reply = await this.command('profileset', `${sid},${profile.name}`);
      const set = rows(reply, 'PROFILE')[0]?.Profile;
      if (set !== profile.name) throw new MinerError('API_ERROR', `profileset answered profile '${String(set)}', not '${profile.name}'`);
    });
    return profile.watts;
  }

  sleep(): Promise<void> {
    return this.withSession(async (sid) => void (await this.command('curtail', `${sid},sleep`)));
  }

  wake(): Promise<void> {
    return this.withSession(async (sid) => void (await this.command('curtail', `${sid},wakeup`)));
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session) await this.logoff(session.id);
  }

  private async profileList(): Promise<Profile[]> {
    if (!this.profiles) {
      this.profiles = rows(await this.command('profiles'), 'PROFILES').flatMap((p) => {
        const watts = num(p.Watts);
        return typeof p['Profile Name'] === 'string' && watts !== undefined ? [{ name: p['Profile Name'], watts }] : [];
      });
    }
    return this.profiles;
  }

  private async withSession(work: (sid: string) => Promise<void>): Promise<void> {
    if (!this.session) this.session = { id: this.logon(), users: 0 };
    const session = this.session;
    session.users++;
    try {
      await work(await session.id);
    } finally {
      session.users--;
      if (session.users === 0 && this.session === session) {
        this.session = undefined;
        await this.logoff(session.id);
      }
    }
  }

  private async logon(): Promise<string> {
    let reply: CgminerReply;
    try {
      reply = await this.command('logon');
    } catch (err) {
      if (err instanceof MinerError && err.apiCode === 402) {
        throw new MinerError('SESSION_BUSY', 'another program holds the LuxOS session of this miner; retrying', { cause: err });
      }
      throw err;
    }
    const id = rows(reply, 'SESSION')[0]?.SessionID;
    if (typeof id !== 'string' || id === '') throw new MinerError('GARBAGE', 'logon answered no SessionID');
    return id;
  }

  private async logoff(id: Promise<string>): Promise<void> {
    try {
      await this.command('logoff', await id);
    } catch {
      // An expired or never-opened session needs no logoff; it lapses after a minute anyway.
    }
  }

  private command(command: string, parameter?: string): Promise<CgminerReply> {
    const { address, clock, timeoutMs } = this.ctx;
    return cgminerCommand({ host: address.host, port: address.apiPort }, command, parameter, { clock, timeoutMs });
  }
}
