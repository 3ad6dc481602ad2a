// LuxOS (LUXminer) on its 4028 socket, after Luxor's API documentation (docs.luxor.tech/firmware/api): the
// cgminer report commands in GH/s with numbers as numbers, plus `power`, `profiles`, `config` with the active
// profile, `atm`, `events`, and the session commands. Writes need a session: `logon` creates one, only one may
// exist (a second logon is refused), it expires after 60 s without use, and its id is the first parameter of
// every privileged command (`curtail <sid>,sleep|wakeup`, `profileset <sid>,<profile>`, `atmset <sid>,enabled=…`,
// `logoff <sid>`). Codes from the documentation's examples; those marked [A] are not documented.
import { Prng } from '../plant';
import { failure, success, type Answerer, type CommandSpec, type Reply } from './cgminer-envelope';
import { bmminerStatsRow, configRow, devsRows, fanRpm, poolsRows, summaryRow, type RowOptions } from './cgminer-data';
import { MODEL_NAME, notReady, readNow, type MinerContext } from './face';
import type { CommandOutcome, MinerModel } from './model';

export const LUXMINER_VERSION = '2025.3.11.164005-a7c2f1b0';
const OPTIONS: RowOptions = { unit: 'GH', numbersAsStrings: false };
const SESSION_IDLE_MS = 60_000;
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface LuxosProfile {
  name: string;
  watts: number;
  hashrateThs: number;
  frequencyMhz: number;
  voltageV: number;
}

/** One profile per power step of the model, from its floor to its rating, named by chip frequency [A]. */
export function luxosProfiles(model: MinerModel): LuxosProfile[] {
  const s = model.spec;
  const profiles: LuxosProfile[] = [];
  for (let watts = s.minPowerW; watts <= s.ratedPowerW; watts += s.stepW) {
    const share = (watts - s.idlePowerW) / (s.ratedPowerW - s.idlePowerW);
    const frequencyMhz = Math.round(490 * share ** 0.8);
    profiles.push({
      name: watts === s.ratedPowerW ? 'default' : `${frequencyMhz}MHz`,
      watts,
      hashrateThs: Math.round(s.ratedHashrateThs * share ** s.hashrateExponent * 10) / 10,
      frequencyMhz,
      voltageV: Math.round((12 + 1.6 * share) * 100) / 100,
    });
  }
  return profiles;
}

export class LuxosFace {
  private session: { id: string; lastUseMs: number } | undefined;
  private atmEnabled = false;
  private readonly prng: Prng;
  private readonly profiles: LuxosProfile[];

  constructor(
    private readonly ctx: MinerContext,
    seed: number,
  ) {
    this.prng = new Prng(seed ^ 0x1f2e3d4c);
    this.profiles = luxosProfiles(ctx.model);
  }

  answerer(): Answerer {
    const ctx = this.ctx;
    const r = readNow(ctx);
    const nowMs = r.nowMs;
    const ratedThs = ctx.model.spec.ratedHashrateThs;
    const versionBlock = { LUXminer: LUXMINER_VERSION, Miner: LUXMINER_VERSION, CompileTime: '2025-03-11', Type: MODEL_NAME };
    const active = this.activeProfile();
    const report = (run: () => Reply): CommandSpec => ({ joinable: true, run });
    const privileged = (run: (args: string[]) => Reply): CommandSpec => ({
      joinable: false,
      run: (parameter) => {
        const [sid = '', ...args] = (parameter ?? '').split(',');
        if (!this.sessionValid(nowMs) || this.session?.id !== sid) return failure(401, 'Invalid session id'); // [A]
        this.session!.lastUseMs = nowMs;
        return run(args);
      },
    });
    const commands: Record<string, CommandSpec> = {
      version: report(() => success(22, 'LUXminer versions', 'VERSION', [{ ...versionBlock, API: '3.7' }])),
      summary: report(() => success(11, 'Summary', 'SUMMARY', [summaryRow(r, ratedThs, OPTIONS)])),
      stats: report(() => success(70, 'LUXminer stats', 'STATS', [versionBlock, bmminerStatsRow(r, ratedThs, OPTIONS)])),
      devs: report(() => success(9, `${r.boards.length} ASC(s)`, 'DEVS', devsRows(r, OPTIONS))),
      pools: report(() => success(7, '1 Pool(s)', 'POOLS', poolsRows(r, ratedThs))),
      config: report(() =>
        success(33, 'LUXminer config', 'CONFIG', [configRow(r, { Profile: active.name, IsAtmEnabled: this.atmEnabled, MACAddr: macOf(ctx.id) })]),
      ),
      power: report(() => success(336, 'Power', 'POWER', [{ PSU: r.powerW > 0, Watts: Math.round(r.powerW) }])), // code [A]
      profiles: report(() =>
        success(
          320, // [A]
          'Profiles',
          'PROFILES',
          this.profiles.map((p) => ({
            'Profile Name': p.name,
            Frequency: p.frequencyMhz,
            Voltage: p.voltageV,
            Watts: p.watts,
            Hashrate: p.hashrateThs,
            IsDynamic: false,
            IsTuned: true,
            Step: 0,
          })),
        ),
      ),
      atm: report(() =>
        success(339, 'ATM configuration values', 'ATM', [
          { Enabled: this.atmEnabled, MaxProfile: 'default', MinProfile: '', PostRampMinutes: 15, StartupMinutes: 15, TempWindow: 5 },
        ]),
      ),
      events: report(() => success(337, 'Events', 'EVENTS', eventsOf(r, nowMs))), // code [A]
      fans: report(() =>
        success(202, '4 Fan(s)', 'FANS', [1, 2, 3, 4].map((fan) => ({ FAN: fan - 1, ID: fan - 1, RPM: fanRpm(r, fan), Speed: 0 }))),
      ),
      session: report(() => success(319, 'Session information', 'SESSION', [{ SessionID: this.sessionValid(nowMs) ? this.session!.id : '' }])),
      logon: {
        joinable: false,
        run: () => {
          if (this.sessionValid(nowMs)) return failure(402, 'Another session is active');
          this.session = { id: this.newId(), lastUseMs: nowMs };
          return success(316, 'Session created', 'SESSION', [{ SessionID: this.session.id }]);
        },
      },
      logoff: privileged(() => {
        const id = this.session!.id;
        this.session = undefined;
        return success(317, 'Session terminated', 'SESSION', [{ SessionID: id }]); // [A]
      }),
      curtail: privileged(([action]) => {
        if (action !== 'sleep' && action !== 'wakeup') return failure(334, `Invalid curtail action '${action ?? ''}'`); // [A]
        const outcome = action === 'sleep' ? ctx.model.sleep(nowMs) : ctx.model.wake(nowMs);
        return outcomeReply(outcome, () => success(335, 'Curtailment command sent', 'CURTAIL', [{ Action: action === 'sleep' ? 'sleep mode' : 'wake up' }]));
      }),
      profileset: privileged(([selector]) => {
        if (this.atmEnabled) return failure(323, 'Cannot set profile while ATM is enabled'); // [A]
        const profile = this.select(selector ?? '');
        if (!profile) {
          // A watt selector under the lowest profile: silently accepted with the floor fault, as a firmware that
          // ignores it would; otherwise refused.
          if (ctx.faults().has('ignore-below-floor') && /^\d+W$/.test(selector ?? '')) return profileSetReply(active.name);
          return failure(322, `Profile '${selector ?? ''}' not found`); // [A]
        }
        return outcomeReply(ctx.model.setPowerLimit(nowMs, profile.watts), () => profileSetReply(profile.name));
      }),
      atmset: privileged((pairs) => {
        const enabled = pairs.find((p) => p.startsWith('enabled='))?.slice('enabled='.length);
        if (enabled !== 'true' && enabled !== 'false') return failure(341, 'Invalid ATM configuration'); // [A]
        this.atmEnabled = enabled === 'true';
        return success(340, 'ATM configuration updated', 'ATM', [{ Enabled: this.atmEnabled }]); // Msg [A]
      }),
    };
    return { description: `LUXminer ${LUXMINER_VERSION}`, whenS: Math.floor(nowMs / 1000), commands, notReady: notReady(ctx, r) };
  }

  private sessionValid(nowMs: number): boolean {
    if (this.session && nowMs - this.session.lastUseMs > SESSION_IDLE_MS) this.session = undefined;
    return this.session !== undefined;
  }

  private activeProfile(): LuxosProfile {
    const limit = this.ctx.model.powerLimitW;
    return this.profiles.find((p) => p.watts === limit) ?? this.profiles[this.profiles.length - 1]!;
  }

  /** By name, or by power with a `W` suffix (the highest profile at or under it), as profileset documents. */
  private select(selector: string): LuxosProfile | undefined {
    const watts = /^(\d+)W$/.exec(selector)?.[1];
    if (watts === undefined) return this.profiles.find((p) => p.name === selector);
    return this.profiles.filter((p) => p.watts <= Number(watts)).at(-1);
  }

  private newId(): string {
    return Array.from({ length: 8 }, () => ID_ALPHABET[Math.floor(this.prng.next() * ID_ALPHABET.length)]).join('');
  }
}

function profileSetReply(name: string): Reply {
  return success(321, 'Profile Set', 'PROFILE', [{ Board: 0, FrequencyStep: 5, Profile: name, VoltageStep: 0.05 }]);
}

function outcomeReply(outcome: CommandOutcome, ok: () => Reply): Reply {
  if (outcome.kind === 'rejected') return failure(outcome.code === 'not-ready' ? 1 : 322, outcome.message);
  return ok();
}

function eventsOf(r: ReturnType<typeof readNow>, nowMs: number): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  const created = Math.floor(nowMs / 1000);
  if (r.phase === 'sleeping' || r.phase === 'stopping') events.push({ Code: 'SLEEP', Created: created, Target: 'Miner' });
  for (const board of r.boards) if (!board.ok) events.push({ Code: 'BOARD_ASIC_ENUMERATION_FAILURE', Created: created, Target: `Board ${board.slot}` });
  return events;
}

function macOf(id: string): string {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const bytes = [0x02, 0x46, 0x47, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}
