// The dynamics of one ASIC miner (Antminer S21 class), pure and time-injected: every method takes the sim's
// `nowMs` and nothing reads a clock or starts a timer, so the API faces (sim/miners/), the plant fleet and the
// dispatch scenario can all drive it on any time line. Drawn power is a piecewise-linear trajectory of knots
// planned by each command; temperatures follow it by a first-order lag solved exactly on each linear piece, so
// any chunking of the same span gives the same history. Figures and their sources: sim/README.md "Miners".
import { Prng } from '../plant';
import { SimError } from '../errors';
import { checkSpec, S21_SPEC, type CommandOutcome, type MinerModelOptions, type MinerPhase, type MinerReadout, type MinerSpec, type ModelFault } from './model-spec';

export { S21_SPEC, type BoardReadout, type CommandOutcome, type MinerModelOptions, type MinerPhase, type MinerReadout, type MinerSpec, type ModelFault } from './model-spec';

interface Knot {
  atMs: number;
  powerW: number;
}

export class MinerModel {
  readonly spec: Readonly<MinerSpec>;
  private nowMs: number;
  /** What the miner would draw with every board hashing, W; the trajectory's value at nowMs. */
  private planW: number;
  private knots: Knot[] = [];
  private phaseValue: MinerPhase;
  private phases: { atMs: number; phase: MinerPhase }[] = [];
  private limitW: number;
  private serviceStartMs: number;
  private readonly boardC: number[];
  private readonly faults = new Set<ModelFault>();
  private readonly prng: Prng;

  constructor(options: MinerModelOptions) {
    this.spec = checkSpec({ ...S21_SPEC, ...options.spec });
    this.prng = new Prng(options.seed ?? 1);
    this.nowMs = options.startMs;
    this.serviceStartMs = options.startMs;
    const limit = options.powerLimitW ?? this.spec.ratedPowerW;
    const checked = this.checkLimit(limit);
    if (checked.kind === 'rejected') throw new SimError('ERR_OPTION', checked.message);
    this.limitW = checked.powerLimitW;
    this.phaseValue = options.initial ?? 'hashing';
    this.planW = this.phaseValue === 'hashing' ? this.limitW : this.spec.sleepPowerW;
    this.boardC = Array.from({ length: this.spec.hashboards }, () => this.boardTargetC(this.planW, true));
  }

  get phase(): MinerPhase {
    return this.phaseValue;
  }

  get powerLimitW(): number {
    return this.limitW;
  }

  /** Moves the model to `nowMs`; time never runs backwards. */
  advanceTo(nowMs: number): void {
    if (!(nowMs >= this.nowMs)) throw new SimError('ERR_TIME', `miner model is at ${this.nowMs}, cannot go back to ${nowMs}`);
    while (this.knots.length > 0 && this.knots[0]!.atMs <= nowMs) {
      const knot = this.knots.shift()!;
      this.integrate(knot.atMs, knot.powerW);
    }
    const next = this.knots[0];
    if (next) this.integrate(nowMs, this.planW + ((next.powerW - this.planW) * (nowMs - this.nowMs)) / (next.atMs - this.nowMs));
    else this.integrate(nowMs, this.planW);
    while (this.phases.length > 0 && this.phases[0]!.atMs <= nowMs) this.phaseValue = this.phases.shift()!.phase;
  }

  /** The power the miner draws now, W (after any hashboard loss). */
  powerW(nowMs: number): number {
    this.advanceTo(nowMs);
    return this.drawW(this.planW);
  }

  read(nowMs: number): MinerReadout {
    this.advanceTo(nowMs);
    const spec = this.spec;
    const share = this.hashingShare(this.planW);
    const perBoardThs = (spec.ratedHashrateThs / spec.hashboards) * share ** spec.hashrateExponent;
    const boards = this.boardC.map((temperatureC, i) => {
      const ok = this.boardOk(i);
      return { slot: i, ok, hashrateThs: ok ? perBoardThs : 0, temperatureC };
    });
    return {
      nowMs,
      phase: this.phaseValue,
      mining: this.phaseValue !== 'sleeping' && this.phaseValue !== 'stopping',
      ready: this.phaseValue !== 'restarting',
      powerW: this.drawW(this.planW),
      powerLimitW: this.limitW,
      hashrateThs: boards.reduce((sum, b) => sum + b.hashrateThs, 0),
      temperatureC: Math.max(...this.boardC),
      boards,
      elapsedS: Math.max(0, Math.floor((nowMs - this.serviceStartMs) / 1000)),
      faults: [...this.faults],
    };
  }

  /** A new power limit, W: snapped down to the step; live (10–30 s) or, with restartOnLimitChange, a restart. */
  setPowerLimit(nowMs: number, powerLimitW: number): CommandOutcome {
    this.advanceTo(nowMs);
    const checked = this.checkLimit(powerLimitW);
    if (checked.kind === 'rejected' && checked.code === 'below-floor' && this.faults.has('ignore-below-floor')) {
      return { kind: 'ignored', reason: 'below-floor' };
    }
    if (checked.kind === 'rejected') return checked;
    return this.command((jitter) => {
      this.limitW = checked.powerLimitW;
      switch (this.phaseValue) {
        case 'sleeping':
        case 'stopping':
          return this.applied(nowMs, false);
        case 'starting':
        case 'restarting':
          this.knots[this.knots.length - 1]!.powerW = this.limitW;
          return this.applied(this.lastKnotMs(), false);
        case 'hashing':
        case 'adjusting':
          if (this.spec.restartOnLimitChange) return this.restartAt(nowMs, jitter);
          this.plan([{ atMs: nowMs + between(this.spec.limitChangeMs, jitter), powerW: this.limitW }]);
          this.schedule([nowMs, 'adjusting'], [this.lastKnotMs(), 'hashing']);
          return this.applied(this.lastKnotMs(), false);
      }
    });
  }

  /** Stop hashing and drop to the sleep draw within stopMs. */
  sleep(nowMs: number): CommandOutcome {
    this.advanceTo(nowMs);
    return this.command(() => {
      if (this.phaseValue === 'sleeping' || this.phaseValue === 'stopping') return this.applied(this.settledAtMs(), false);
      const s = this.spec;
      this.plan([
        { atMs: nowMs + 0.8 * s.stopMs, powerW: s.idlePowerW },
        { atMs: nowMs + s.stopMs, powerW: s.sleepPowerW },
      ]);
      this.schedule([nowMs, 'stopping'], [nowMs + s.stopMs, 'sleeping']);
      return this.applied(nowMs + s.stopMs, false);
    });
  }

  /** Cold start from sleep to the power limit in 60–120 s; a no-op when already hashing or on the way. */
  wake(nowMs: number): CommandOutcome {
    this.advanceTo(nowMs);
    return this.command((jitter) => {
      if (this.phaseValue !== 'sleeping' && this.phaseValue !== 'stopping') return this.applied(this.settledAtMs(), false);
      const durationMs = between(this.spec.coldStartMs, jitter);
      this.plan(this.coldStart(nowMs, durationMs));
      this.schedule([nowMs, 'starting'], [nowMs + durationMs, 'hashing']);
      return this.applied(nowMs + durationMs, false);
    });
  }

  /** Restarts the mining service (reboot, btminer restart): not ready while it boots, then a cold start. */
  restart(nowMs: number): CommandOutcome {
    this.advanceTo(nowMs);
    return this.command((jitter) => this.restartAt(nowMs, jitter));
  }

  setFault(nowMs: number, fault: ModelFault, on: boolean): void {
    this.advanceTo(nowMs);
    if (on) this.faults.add(fault);
    else this.faults.delete(fault);
  }

  /** Snaps a requested limit to the firmware's steps, or says why it cannot be one. */
  checkLimit(powerLimitW: number): Extract<CommandOutcome, { kind: 'applied' | 'rejected' }> {
    const s = this.spec;
    if (!Number.isFinite(powerLimitW)) return { kind: 'rejected', code: 'invalid', message: 'power limit must be a number of W' };
    if (powerLimitW < s.minPowerW) {
      return { kind: 'rejected', code: 'below-floor', message: `power limit ${powerLimitW} W is below the minimum ${s.minPowerW} W` };
    }
    if (powerLimitW > s.ratedPowerW) {
      return { kind: 'rejected', code: 'above-max', message: `power limit ${powerLimitW} W is above the maximum ${s.ratedPowerW} W` };
    }
    const snapped = s.minPowerW + Math.floor((powerLimitW - s.minPowerW) / s.stepW + 1e-9) * s.stepW;
    return { kind: 'applied', powerLimitW: snapped, settlesAtMs: this.nowMs, restarts: false };
  }

  private command(apply: (jitter: number) => CommandOutcome): CommandOutcome {
    // Both draws are taken for every command, so one seed gives one history whatever the share.
    const roll = this.prng.next();
    const jitter = this.prng.next();
    if (this.phaseValue === 'restarting') return { kind: 'rejected', code: 'not-ready', message: 'the mining service is restarting' };
    if (roll < this.spec.unconfirmedShare) return { kind: 'dropped' };
    return apply(jitter);
  }

  private restartAt(nowMs: number, jitter: number): CommandOutcome {
    const s = this.spec;
    const durationMs = between(s.coldStartMs, jitter);
    const upMs = nowMs + s.stopMs + s.bootShare * durationMs;
    this.plan([{ atMs: nowMs + s.stopMs, powerW: s.idlePowerW }, ...this.coldStart(nowMs + s.stopMs, durationMs).slice(1)]);
    this.schedule([nowMs, 'restarting'], [upMs, 'starting'], [nowMs + s.stopMs + durationMs, 'hashing']);
    this.serviceStartMs = upMs;
    return this.applied(this.lastKnotMs(), true);
  }

  private coldStart(fromMs: number, durationMs: number): Knot[] {
    const s = this.spec;
    const bootMs = s.bootShare * durationMs;
    return [
      { atMs: fromMs + Math.min(1000, bootMs), powerW: s.idlePowerW },
      { atMs: fromMs + bootMs, powerW: s.idlePowerW },
      { atMs: fromMs + durationMs, powerW: this.limitW },
    ];
  }

  private plan(knots: Knot[]): void {
    this.knots = knots;
  }

  private schedule(now: [number, MinerPhase], ...later: [number, MinerPhase][]): void {
    this.phaseValue = now[1];
    this.phases = later.map(([atMs, phase]) => ({ atMs, phase }));
  }

  private applied(settlesAtMs: number, restarts: boolean): CommandOutcome {
    return { kind: 'applied', powerLimitW: this.limitW, settlesAtMs, restarts };
  }

  private lastKnotMs(): number {
    return this.knots.at(-1)?.atMs ?? this.nowMs;
  }

  private settledAtMs(): number {
    return Math.max(this.lastKnotMs(), this.phases.at(-1)?.atMs ?? this.nowMs);
  }

  /** Moves along one linear piece of the plan to (toMs, toPlanW), solving the board temperatures exactly. */
  private integrate(toMs: number, toPlanW: number): void {
    const dtMs = toMs - this.nowMs;
    if (dtMs > 0) {
      const decay = Math.exp(-dtMs / this.spec.thermalTauMs);
      this.boardC.forEach((c0, i) => {
        const ok = this.boardOk(i);
        const a = this.boardTargetC(this.planW, ok);
        const slope = (this.boardTargetC(toPlanW, ok) - a) / dtMs;
        const tau = this.spec.thermalTauMs;
        this.boardC[i] = a + slope * (dtMs - tau) + (c0 - a + slope * tau) * decay;
      });
    }
    this.nowMs = toMs;
    this.planW = toPlanW;
  }

  /** Pieces never cross the idle draw, so this is linear along each piece. */
  private hashingShare(planW: number): number {
    const s = this.spec;
    return Math.max(0, planW - s.idlePowerW) / (s.ratedPowerW - s.idlePowerW);
  }

  private boardTargetC(planW: number, ok: boolean): number {
    return this.spec.ambientC + (ok ? this.spec.boardRiseC * this.hashingShare(planW) : 0);
  }

  private boardOk(slot: number): boolean {
    return !(this.faults.has('hashboard') && slot === this.spec.hashboards - 1);
  }

  private drawW(planW: number): number {
    const s = this.spec;
    const okBoards = this.faults.has('hashboard') ? s.hashboards - 1 : s.hashboards;
    if (planW <= s.idlePowerW) return planW;
    return s.idlePowerW + ((planW - s.idlePowerW) * okBoards) / s.hashboards;
  }
}

function between(range: readonly [number, number], u: number): number {
  return range[0] + (range[1] - range[0]) * u;
}
