// One meter's polling conversation, free of Node-RED: what to read next, what an answer means, and which
// MeterReadings follow. The flaregrid-meter node feeds it answers and clock ticks and sends what it returns.
//
// Answers are matched to what they cover, never to the request they claim to answer: a modbus-flex-getter answers
// our own requests, but a plain modbus-read polls wider blocks on its own schedule, and a getter shared by several
// meters answers theirs too. SunSpec discovery therefore keeps the answers of the last moments and takes from any
// of them the registers its next step needs; an answer it cannot use is ignored, never fatal.

import { Backoff } from '../connection/backoff';
import type { MeterReading, MeterRole } from '../schemas/contracts';
import { compileProfile, type CompiledProfile } from './decode';
import { MeteringError } from './errors';
import { ReadAssembly } from './read-assembly';
import { SunSpecDiscovery } from './sunspec-discovery';
import { MeterTracker, type SavedTrackerState, type TrackerSnapshot } from './tracker';
import type { MeterProfile, ReadRequest } from './types';

export type ProfileSource = { kind: 'fixed'; profile: MeterProfile } | { kind: 'discover'; baseAddresses?: number[] };

export interface MeterSessionOptions {
  site: string;
  meterId: string;
  role: MeterRole;
  invert: boolean;
  source: ProfileSource;
  unitId: number;
  maxRegistersPerRead: number;
  staleAfterMs: number;
  /** a round of reads not answered within this long counts as failed */
  responseTimeoutMs: number;
  /**
   * After start, failures are held back this long (default staleAfterMs) unless a good answer came first: the
   * Modbus client connects after the meter's first poll on every deploy, and that is not an outage.
   */
  startupGraceMs?: number;
  /** a failed SunSpec discovery is tried again after this, doubling up to discoveryRetryMaxMs */
  discoveryRetryMs?: number;
  discoveryRetryMaxMs?: number;
  /** the tracker state saved before a restart (snapshot()), so energy totals continue from it */
  resume?: SavedTrackerState;
}

/** A read as node-red-contrib-modbus's flex-getter takes it in msg.payload. */
export interface ModbusReadRequest extends ReadRequest {
  unitid: number;
}

export interface SessionOutput {
  readings: MeterReading[];
  requests: ModbusReadRequest[];
  /** a new problem to report once (to a Catch node): a meter that turned bad, a discovery that failed */
  problem?: MeteringError;
}

export type SessionPhase =
  | { kind: 'discovering' }
  | { kind: 'ready'; profile: MeterProfile }
  | { kind: 'discovery-failed'; reason: string; retryAtMs: number };

interface Ready {
  profile: MeterProfile;
  decoder: CompiledProfile;
  assembly: ReadAssembly;
  tracker: MeterTracker;
}

interface Answer {
  request: ReadRequest;
  registers: readonly number[];
  receivedMs: number;
}

/** how many recent answers discovery may draw on (a modbus-read of a SunSpec map sends a few blocks per poll) */
const RECENT_ANSWERS = 8;

const nothing = (): SessionOutput => ({ readings: [], requests: [] });

export class MeterSession {
  readonly meterId: string;
  readonly unitId: number;
  private ready: Ready | undefined;
  private discovery: SunSpecDiscovery | undefined;
  /** the read discovery waits for, and when it was asked for; undefined when it waits for nothing */
  private askedFor: ReadRequest | undefined;
  private discoveryAskedMs: number | undefined;
  private discoveryFailure: { reason: string; retryAtMs: number } | undefined;
  private readonly discoveryBackoff: Backoff;
  private readonly recent: Answer[] = [];
  private startedMs: number | undefined;
  /** a usable answer came since start: failures are no longer the client still connecting */
  private heardFromDevice = false;
  /** a failure held back during the start-up grace, reported when the grace ends without a good answer */
  private heldFailure: string | undefined;
  /** the reason of the last bad reading sent, so a meter that stays down is reported once, not every poll */
  private lastBadReason: string | undefined;

  /** @throws MeteringError when a fixed profile cannot be read with these settings (e.g. max per read too small) */
  constructor(private readonly options: MeterSessionOptions) {
    this.meterId = options.meterId;
    this.unitId = options.unitId;
    // No jitter: one meter retrying its own device has no herd to spread, and the status can show the exact wait.
    this.discoveryBackoff = new Backoff({ initialMs: options.discoveryRetryMs ?? 30_000, maxMs: options.discoveryRetryMaxMs ?? 600_000, factor: 2, jitter: 0 });
    if (options.source.kind === 'fixed') this.ready = this.prepare(options.source.profile);
  }

  get phase(): SessionPhase {
    if (this.ready) return { kind: 'ready', profile: this.ready.profile };
    if (this.discoveryFailure) return { kind: 'discovery-failed', reason: this.discoveryFailure.reason, retryAtMs: this.discoveryFailure.retryAtMs };
    return { kind: 'discovering' };
  }

  /** Called on every poll interval: the reads to send now, and a bad reading if the last round went unanswered. */
  poll(nowMs: number): SessionOutput {
    this.startedMs ??= nowMs;
    if (!this.ready) return this.pollDiscovery(nowMs);
    const { assembly } = this.ready;
    const out = nothing();
    if (assembly.overdue(nowMs, this.options.responseTimeoutMs)) {
      assembly.abandonRound();
      this.fail(`no answer within ${this.options.responseTimeoutMs / 1000} s`, nowMs, out);
    } else if (assembly.waiting) {
      // The last round is still within its time: a slow link gets no second round queued on top of it.
      return out;
    }
    assembly.startRound(nowMs);
    out.requests = assembly.requests.map((r) => this.addressed(r));
    return out;
  }

  /**
   * An answer from the Modbus node. @throws SessionError when the answer cannot be used by a meter whose profile is
   * known (wrong length, covers none of the profile's registers, undecodable values); the meter's reading turns bad
   * first, and that output is in `error.output` so the caller can still send it.
   */
  answer(request: ReadRequest, registers: readonly number[], nowMs: number): SessionOutput {
    this.startedMs ??= nowMs;
    if (!this.ready) {
      this.heardFromDevice = true;
      this.remember({ request, registers, receivedMs: nowMs });
      return this.discovery ? this.discoveryStep(nowMs) : nothing();
    }
    const { assembly, decoder, tracker } = this.ready;
    try {
      const result = assembly.accept(request, registers);
      if (result.kind === 'partial') return nothing();
      if (result.kind === 'unmatched') {
        throw new MeteringError(
          'BLOCK_MISSING',
          `the answer to fc ${request.fc} address ${request.address} (${request.quantity} registers) covers none of ` +
            `the registers of profile ${this.ready.profile.id}; it needs ${describe(assembly.requests)}`,
        );
      }
      const reading = tracker.accept(decoder.decode(result.blocks), nowMs);
      this.lastBadReason = undefined;
      this.heardFromDevice = true;
      this.heldFailure = undefined;
      return { readings: [reading], requests: [] };
    } catch (err) {
      if (!(err instanceof MeteringError)) throw err;
      // An answer that came but cannot be used is a real fault even during the start-up grace.
      const out = nothing();
      this.fail(err.message, nowMs, out, false);
      throw new SessionError(err, out);
    }
  }

  /** A read the Modbus node reports as failed (exception, timeout, not connected). */
  readFailed(reason: string, nowMs: number): SessionOutput {
    this.startedMs ??= nowMs;
    if (!this.ready) {
      if (!this.discovery || this.discoveryAskedMs === undefined) return nothing();
      // While the client may still be connecting, a failure says nothing about the map: ask again next poll.
      if (!this.inGrace(nowMs)) this.discovery.acceptError(new MeteringError('SUNSPEC_READ', reason));
      this.forgetAsked();
      return this.inGrace(nowMs) ? nothing() : this.discoveryStep(nowMs);
    }
    this.ready.assembly.abandonRound();
    const out = nothing();
    this.fail(reason, nowMs, out);
    return out;
  }

  /** The state to save so that a restarted session continues the energy totals; undefined before a profile is known. */
  snapshot(): TrackerSnapshot | undefined {
    return this.ready?.tracker.snapshot();
  }

  /** Called about once a second: a stale reading when the meter has gone quiet, a held failure when the grace ends. */
  tick(nowMs: number): SessionOutput {
    this.startedMs ??= nowMs;
    const out = nothing();
    if (!this.ready) return out;
    if (this.heldFailure !== undefined && !this.inGrace(nowMs)) {
      const reason = this.heldFailure;
      this.heldFailure = undefined;
      this.fail(reason, nowMs, out);
    }
    const stale = this.ready.tracker.checkStale(nowMs);
    if (stale) out.readings.push(stale);
    return out;
  }

  private prepare(profile: MeterProfile): Ready {
    const { site, meterId, role, invert, staleAfterMs, maxRegistersPerRead, resume } = this.options;
    const decoder = compileProfile(profile, { maxRegistersPerRead });
    return {
      profile,
      decoder,
      assembly: new ReadAssembly(decoder.reads),
      tracker: new MeterTracker({ site, meterId, role, invert, profile, staleAfterMs, resume }),
    };
  }

  private inGrace(nowMs: number): boolean {
    const graceMs = this.options.startupGraceMs ?? this.options.staleAfterMs;
    return !this.heardFromDevice && nowMs - (this.startedMs ?? nowMs) < graceMs;
  }

  /** A failed round: a bad reading, once per reason, and the problem to report; held back during the grace. */
  private fail(reason: string, nowMs: number, into: SessionOutput, graceable = true): void {
    if (graceable && this.inGrace(nowMs)) {
      this.heldFailure = reason;
      return;
    }
    const reading = (this.ready as Ready).tracker.fail(reason, nowMs);
    if (this.lastBadReason === reading.qualityReason) return;
    this.lastBadReason = reading.qualityReason;
    into.readings.push(reading);
    into.problem = new MeteringError('READ_FAILED', `Modbus read failed: ${reason}`);
  }

  private remember(answer: Answer): void {
    this.recent.unshift(answer);
    this.recent.length = Math.min(this.recent.length, RECENT_ANSWERS);
  }

  private pollDiscovery(nowMs: number): SessionOutput {
    const failure = this.discoveryFailure;
    if (failure && nowMs < failure.retryAtMs) return nothing();
    if (this.discovery && this.discoveryAskedMs !== undefined) {
      if (nowMs - this.discoveryAskedMs < this.options.responseTimeoutMs) return nothing();
      if (this.inGrace(nowMs)) {
        this.forgetAsked();
        return this.discoveryStep(nowMs);
      }
      const read = this.discovery.next();
      const what = 'read' in read ? ` for registers ${read.read.address}..${read.read.address + read.read.quantity - 1}` : '';
      this.discovery.acceptError(new MeteringError('SUNSPEC_READ', `no answer within ${this.options.responseTimeoutMs / 1000} s${what}`));
      this.forgetAsked();
      return this.discoveryStep(nowMs);
    }
    // Start over: first poll, or the previous attempt failed (the device may have been off).
    const source = this.options.source;
    this.discovery = new SunSpecDiscovery(source.kind === 'discover' && source.baseAddresses ? { baseAddresses: source.baseAddresses } : {});
    return this.discoveryStep(nowMs);
  }

  /** Moves discovery on as far as the recent answers allow, then asks for the next read or finishes. */
  private discoveryStep(nowMs: number): SessionOutput {
    const discovery = this.discovery as SunSpecDiscovery;
    for (;;) {
      const step = discovery.next();
      if ('read' in step) {
        const registers = this.covering(step.read, nowMs);
        if (registers) {
          discovery.accept(registers);
          continue;
        }
        if (this.askedFor !== undefined && sameRead(this.askedFor, step.read)) return nothing();
        this.discoveryAskedMs = nowMs;
        this.askedFor = step.read;
        return { readings: [], requests: [this.addressed(step.read)] };
      }
      this.discovery = undefined;
      this.forgetAsked();
      if ('failed' in step) return this.discoveryFailed(step.failed, nowMs);
      try {
        this.ready = this.prepare(step.done);
      } catch (err) {
        if (!(err instanceof MeteringError)) throw err;
        return this.discoveryFailed(err, nowMs);
      }
      this.discoveryFailure = undefined;
      this.discoveryBackoff.reset();
      this.recent.length = 0;
      return this.poll(nowMs);
    }
  }

  private forgetAsked(): void {
    this.discoveryAskedMs = undefined;
    this.askedFor = undefined;
  }

  private discoveryFailed(error: MeteringError, nowMs: number): SessionOutput {
    this.discoveryFailure = { reason: error.message, retryAtMs: nowMs + this.discoveryBackoff.next() };
    return { readings: [], requests: [], problem: error };
  }

  /** The registers of `read` from a recent answer that covers it, if one does. */
  private covering(read: ReadRequest, nowMs: number): readonly number[] | undefined {
    for (const answer of this.recent) {
      if (nowMs - answer.receivedMs > this.options.responseTimeoutMs) continue;
      const { request, registers } = answer;
      const offset = read.address - request.address;
      if (request.fc !== read.fc || offset < 0 || offset + read.quantity > request.quantity || registers.length !== request.quantity) continue;
      return registers.slice(offset, offset + read.quantity);
    }
    return undefined;
  }

  private addressed(request: ReadRequest): ModbusReadRequest {
    return { unitid: this.unitId, fc: request.fc, address: request.address, quantity: request.quantity };
  }
}

/** A MeteringError together with the output it caused, which the caller sends before reporting the error. */
export class SessionError extends MeteringError {
  constructor(
    cause: MeteringError,
    readonly output: SessionOutput,
  ) {
    super(cause.code, cause.message, { cause });
  }
}

function sameRead(a: ReadRequest, b: ReadRequest): boolean {
  return a.fc === b.fc && a.address === b.address && a.quantity === b.quantity;
}

function describe(requests: readonly ReadRequest[]): string {
  return requests.map((r) => `fc ${r.fc} ${r.address}..${r.address + r.quantity - 1}`).join(', ');
}
