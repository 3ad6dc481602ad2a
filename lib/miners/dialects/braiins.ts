// Braiins OS over its REST API (/api/v1, BOS ≥ 25.x; braiins/bos-plus-api protos as JSON): login for a token
// (sent as Authorization, renewed once on a 401), reads from miner/details, miner/stats, miner/hw/hashboards,
// miner/errors and performance/tuner-state, limits from configuration/constraints, the power target with
// PUT performance/power-target {watt} (applied live), sleep and wake with PUT actions/pause and actions/resume.
import type { Endpoint } from '../cgminer-client';
import { MinerError } from '../errors';
import { httpJson } from '../http-json';
import { num, type DriverContext, type MinerDriver, type MinerLimits, type MinerSample } from '../types';

/** MinerStatus of bos.v1: 2 NORMAL is hashing; 3 PAUSED, 1 NOT_STARTED, 4 SUSPENDED are not. */
const STATUS_NORMAL = 2;

type Json = Record<string, any>;

export class BraiinsDriver implements MinerDriver {
  readonly dialect = 'braiins' as const;
  readonly canControl = true;
  private token: Promise<string> | undefined;

  constructor(private readonly ctx: DriverContext) {}

  /** Logs in now, so that a wrong password shows when the miner is added, not at the first write. */
  async open(): Promise<void> {
    await this.currentToken();
  }

  async read(): Promise<MinerSample> {
    const [details, stats, boards, errors, tuner] = (await Promise.all([
      this.call('GET', 'miner/details'),
      this.call('GET', 'miner/stats'),
      this.call('GET', 'miner/hw/hashboards'),
      this.call('GET', 'miner/errors'),
      this.call('GET', 'performance/tuner-state'),
    ])) as Json[];
    const mining = details?.status === STATUS_NORMAL;
    const ghs = num(stats?.miner_stats?.real_hashrate?.last_5s?.gigahash_per_second) ?? 0;
    const boardList: Json[] = Array.isArray(boards?.hashboards) ? boards.hashboards : [];
    const failed = boardList.filter((b) => b.enabled === false || num(b.chips_count) === 0 || (mining && (num(b.stats?.real_hashrate?.last_5s?.gigahash_per_second) ?? 0) <= 0));
    const temps = boardList.flatMap((b) => {
      const t = num(b.board_temp?.degree_c);
      return t === undefined || num(b.chips_count) === 0 ? [] : [t];
    });
    return {
      mining,
      hashrateThs: ghs / 1000,
      powerW: num(stats?.power_stats?.approximated_consumption?.watt),
      powerLimitW: num(tuner?.mode_state?.powertargetmodestate?.current_target?.watt),
      temperatureC: temps.length > 0 ? Math.max(...temps) : undefined,
      idealHashrateThs: (num(details?.sticker_hashrate?.gigahash_per_second) ?? 0) / 1000 || undefined,
      boardsTotal: boardList.length,
      boardsFailed: failed.length,
      errors: (Array.isArray(errors?.errors) ? errors.errors : []).map((e: Json) => String(e.message ?? '')).filter((m: string) => m !== ''),
    };
  }

  async limits(): Promise<MinerLimits> {
    const constraints = (await this.call('GET', 'configuration/constraints')) as Json;
    const target = constraints?.tuner_constraints?.power_target;
    const minW = num(target?.min?.watt);
    const maxW = num(target?.max?.watt);
    if (minW === undefined || maxW === undefined || minW > maxW) throw new MinerError('GARBAGE', 'configuration/constraints gives no power target range');
    return { minW, maxW, stepW: 1 };
  }

  async setPowerLimit(watts: number): Promise<number> {
    const reply = (await this.call('PUT', 'performance/power-target', { watt: watts })) as Json;
    return num(reply?.power_target?.watt) ?? watts;
  }

  async sleep(): Promise<void> {
    await this.call('PUT', 'actions/pause');
  }

  async wake(): Promise<void> {
    await this.call('PUT', 'actions/resume');
  }

  async close(): Promise<void> {
    this.token = undefined;
  }

  private async call(method: 'GET' | 'PUT', path: string, body?: unknown): Promise<unknown> {
    const token = await this.currentToken();
    try {
      return await this.http(method, path, body, token);
    } catch (err) {
      // The token slides out after an hour unused, or the miner restarted: log in again, once.
      if (!(err instanceof MinerError && err.code === 'AUTH')) throw err;
      if (this.token && (await this.token.catch(() => undefined)) === token) this.token = undefined;
      return this.http(method, path, body, await this.currentToken());
    }
  }

  private currentToken(): Promise<string> {
    if (!this.token) {
      const { username = 'root', password = '' } = this.ctx.credentials;
      const login = this.http('POST', 'auth/login', { username, password }).then((reply) => {
        const token = (reply as Json)?.token;
        if (typeof token !== 'string' || token === '') throw new MinerError('GARBAGE', 'auth/login answered no token');
        return token;
      });
      this.token = login;
      login.catch(() => {
        if (this.token === login) this.token = undefined;
      });
    }
    return this.token;
  }

  private http(method: 'GET' | 'POST' | 'PUT', path: string, body: unknown, token?: string): Promise<unknown> {
    const { address, clock, timeoutMs } = this.ctx;
    const endpoint: Endpoint = { host: address.host, port: address.restPort };
    return httpJson(endpoint, method, `/api/v1/${path}`, { clock, timeoutMs, token, body });
  }
}
