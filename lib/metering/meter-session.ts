// One meter's polling conversation, free of Node-RED: what to read next, what an answer means, and which
// MeterReadings follow. The flaregrid-meter node feeds it answers and clock ticks and sends what it returns.

import type { MeterReading, MeterRole } from '../schemas/contracts';
import { compileProfile, type CompiledProfile } from './decode';
import { MeteringError } from './errors';
import { ReadAssembly } from './read-assembly';
import { SunSpecDiscovery } from './sunspec-discovery';
import { MeterTracker, type TrackerSnapshot } from './tracker';
import type { MeterProfile, ReadRequest } from './types';

export type ProfileSource = { kind: 'fixed'; profile: MeterProfile } | { kind: 'discover'; baseAddresses?: number[] };

export interface MeterSessionOptions {
  meterId: string;
  role: MeterRole;
  invert: boolean;
  source: ProfileSource;
  unitId: number;
  maxRegistersPerRead: number;
  staleAfterMs: number;
  /** a round of reads not answered within this long counts as failed */
  responseTimeoutMs: number;
  /** the tracker state saved before a restart (snapshot()), so energy totals continue from it */
  resume?: TrackerSnapshot;
}

/** A read as node-red-contrib-modbus's flex-getter takes it in msg.payload. */
export interface ModbusReadRequest extends ReadRequest {
  unitid: number;
}

export interface SessionOutput {
  readings: MeterReading[];
  requests: ModbusReadRequest[];
}

export type SessionPhase =
  | { kind: 'discovering' }
  | { kind: 'ready'; profile: MeterProfile }
  | { kind: 'discovery-failed'; reason: string };

interface Ready {
  profile: MeterProfile;
  decoder: CompiledProfile;
  assembly: ReadAssembly;
  tracker: MeterTracker;
}

const NOTHING: SessionOutput = Object.freeze({ readings: [], requests: [] }) as SessionOutput;

export class MeterSession {
  readonly meterId: string;
  readonly unitId: number;
  private ready: Ready | undefined;
  private discovery: SunSpecDiscovery | undefined;
  private discoveryReadSentMs: number | undefined;
  private discoveryFailure: string | undefined;
  /** the reason of the last bad reading sent, so a meter that stays down is reported once, not every poll */
  private lastBadReason: string | undefined;

  constructor(private readonly options: MeterSessionOptions) {
    this.meterId = options.meterId;
    this.unitId = options.unitId;
    if (options.source.kind === 'fixed') this.ready = this.prepare(options.source.profile);
  }

  get phase(): SessionPhase {
    if (this.ready) return { kind: 'ready', profile: this.ready.profile };
    if (this.discoveryFailure !== undefined) return { kind: 'discovery-failed', reason: this.discoveryFailure };
    return { kind: 'discovering' };
  }

  /** Called on every poll interval: the reads to send now, and a bad reading if the last round went unanswered. */
  poll(nowMs: number): SessionOutput {
    if (!this.ready) return this.pollDiscovery(nowMs);
    const { assembly, tracker } = this.ready;
    const readings: MeterReading[] = [];
    if (assembly.overdue(nowMs, this.options.responseTimeoutMs)) {
      assembly.abandonRound();
      this.reportBad(tracker.fail(`no answer within ${this.options.responseTimeoutMs / 1000} s`, nowMs), readings);
    }
    assembly.startRound(nowMs);
    return { readings, requests: assembly.requests.map((r) => this.addressed(r)) };
  }

  /**
   * An answer from the Modbus node. @throws MeteringError when the answer cannot be used (wrong length, covers none
   * of the profile's registers, undecodable values); the meter's reading turns bad first, and that reading is in
   * `error.output` so the caller can still send it.
   */
  answer(request: ReadRequest, registers: readonly number[], nowMs: number): SessionOutput {
    if (!this.ready) return this.answerDiscovery(registers, nowMs);
    const { assembly, decoder, tracker } = this.ready;
    try {
      const result = assembly.accept(request, registers);
      if (result.kind === 'partial') return NOTHING;
      if (result.kind === 'unmatched') {
        throw new MeteringError(
          'BLOCK_MISSING',
          `the answer to fc ${request.fc} address ${request.address} (${request.quantity} registers) covers none of ` +
            `the registers of profile ${this.ready.profile.id}; it needs ${describe(assembly.requests)}`,
        );
      }
      const reading = tracker.accept(decoder.decode(result.blocks), nowMs);
      this.lastBadReason = undefined;
      return { readings: [reading], requests: [] };
    } catch (err) {
      if (!(err instanceof MeteringError)) throw err;
      const readings: MeterReading[] = [];
      this.reportBad(tracker.fail(err.message, nowMs), readings);
      throw new SessionError(err, { readings, requests: [] });
    }
  }

  /** A read the Modbus node reports as failed (exception, timeout, not connected). */
  readFailed(reason: string, nowMs: number): SessionOutput {
    if (!this.ready) {
      if (!this.discovery) return NOTHING;
      this.discovery.acceptError(new MeteringError('SUNSPEC_READ', reason));
      return this.discoveryStep(nowMs);
    }
    this.ready.assembly.abandonRound();
    const readings: MeterReading[] = [];
    this.reportBad(this.ready.tracker.fail(reason, nowMs), readings);
    return { readings, requests: [] };
  }

  /** The state to save so that a restarted session continues the energy totals; undefined before a profile is known. */
  snapshot(): TrackerSnapshot | undefined {
    return this.ready?.tracker.snapshot();
  }

  /** Called about once a second: a stale reading when the meter has gone quiet. */
  tick(nowMs: number): SessionOutput {
    const stale = this.ready?.tracker.checkStale(nowMs);
    return stale ? { readings: [stale], requests: [] } : NOTHING;
  }

  private prepare(profile: MeterProfile): Ready {
    const { meterId, role, invert, staleAfterMs, maxRegistersPerRead, resume } = this.options;
    const decoder = compileProfile(profile, { maxRegistersPerRead });
    return {
      profile,
      decoder,
      assembly: new ReadAssembly(decoder.reads),
      tracker: new MeterTracker({ meterId, role, invert, profile, staleAfterMs, resume }),
    };
  }

  private reportBad(reading: MeterReading, into: MeterReading[]): void {
    if (this.lastBadReason === reading.qualityReason) return;
    this.lastBadReason = reading.qualityReason;
    into.push(reading);
  }

  private pollDiscovery(nowMs: number): SessionOutput {
    const waiting = this.discoveryReadSentMs !== undefined;
    if (waiting && nowMs - (this.discoveryReadSentMs as number) < this.options.responseTimeoutMs) return NOTHING;
    if (waiting && this.discovery) {
      this.discovery.acceptError(new MeteringError('SUNSPEC_READ', 'no answer'));
      return this.discoveryStep(nowMs);
    }
    // Start over: first poll, or the previous attempt failed (the device may have been off).
    const source = this.options.source;
    this.discovery = new SunSpecDiscovery(source.kind === 'discover' && source.baseAddresses ? { baseAddresses: source.baseAddresses } : {});
    return this.discoveryStep(nowMs);
  }

  private answerDiscovery(registers: readonly number[], nowMs: number): SessionOutput {
    if (!this.discovery) return NOTHING;
    this.discovery.accept(registers);
    return this.discoveryStep(nowMs);
  }

  private discoveryStep(nowMs: number): SessionOutput {
    const step = this.discovery!.next();
    if ('read' in step) {
      this.discoveryReadSentMs = nowMs;
      return { readings: [], requests: [this.addressed(step.read)] };
    }
    this.discoveryReadSentMs = undefined;
    this.discovery = undefined;
    if ('failed' in step) {
      this.discoveryFailure = step.failed.message;
      return NOTHING;
    }
    this.discoveryFailure = undefined;
    this.ready = this.prepare(step.done);
    return this.poll(nowMs);
  }

  private addressed(request: ReadRequest): ModbusReadRequest {
    return { unitid: this.unitId, fc: request.fc, address: request.address, quantity: request.quantity };
  }
}

/** A MeteringError together with the readings it caused, which the caller sends before reporting the error. */
export class SessionError extends MeteringError {
  constructor(
    cause: MeteringError,
    readonly output: SessionOutput,
  ) {
    super(cause.code, cause.message, { cause });
  }
}

function describe(requests: readonly ReadRequest[]): string {
  return requests.map((r) => `fc ${r.fc} ${r.address}..${r.address + r.quantity - 1}`).join(', ');
}
