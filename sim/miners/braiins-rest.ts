// Braiins OS Public API, REST mirror (/api/v1, BOS ≥ 25.x), after the braiins/bos-plus-api protos (1.11.0;
// messages rendered as JSON with their proto field names) and the REST payloads asic-rs's v26_04 backend reads:
//   GET  /api/v1/version                      {major, minor, patch}                  no token needed
//   POST /api/v1/auth/login {username, password} → {token, timeout_s}              then `Authorization: <token>`
//   GET  /api/v1/miner/details                status: 1 NOT_STARTED, 2 NORMAL, 3 PAUSED
//   GET  /api/v1/miner/stats                  real_hashrate, power_stats.approximated_consumption.watt
//   GET  /api/v1/miner/hw/hashboards          per board temperature and hashrate
//   GET  /api/v1/miner/errors                 {errors: [{message, timestamp, …}]}
//   GET  /api/v1/configuration/constraints    tuner_constraints.power_target {min, default, max}.watt
//   GET  /api/v1/performance/tuner-state      mode_state.powertargetmodestate.current_target.watt
//   PUT  /api/v1/performance/power-target {watt} → {power_target: {watt}}            applied live (SAVE_AND_APPLY)
//   PUT  /api/v1/actions/pause | resume       → {already_paused} | {already_mining}
// The token slides: it expires 3600 s of sim time after its last use (LoginResponse.timeout_s); a request without
// a live token answers 401. Errors carry {"message": …}. Wire faults act on the raw socket.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Prng } from '../plant';
import { listenFace, stopFace } from '../listen';
import { GARBAGE_BYTES, replyPlan } from './faults';
import { MODEL_NAME, notReady, readNow, type MinerContext } from './face';
import type { MinerReadout } from './model';

export const BOS_VERSION = '2026-04-14-0-912d084c-26.04-plus';
const TOKEN_TIMEOUT_S = 3600;
const MAX_BODY_BYTES = 16 * 1024;

export interface BraiinsCredentials {
  username: string;
  password: string;
}

interface Answer {
  status: number;
  body: unknown;
}

export class BraiinsRestServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly tokens = new Map<string, number>();
  private readonly prng: Prng;
  private boundPort = 0;

  constructor(
    private readonly host: string,
    private readonly ctx: MinerContext,
    private readonly credentials: BraiinsCredentials,
    seed: number,
  ) {
    this.prng = new Prng(seed ^ 0x5eed_b05);
  }

  get port(): number {
    return this.boundPort;
  }

  async start(port: number): Promise<void> {
    if (this.server?.listening) return;
    const server = createServer((req, res) => this.onRequest(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.boundPort = await listenFace(server, 'Braiins REST', this.host, port);
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await stopFace(server, this.sockets);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const plan = replyPlan(this.ctx.faults());
      if (plan === 'stall') return;
      if (plan === 'drop') {
        req.socket.destroy();
        return;
      }
      if (plan === 'garbage') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(GARBAGE_BYTES);
        return;
      }
      const answer = size > MAX_BODY_BYTES ? error(413, 'request body too large') : this.route(req, Buffer.concat(chunks).toString('utf8'));
      const bytes = Buffer.from(JSON.stringify(answer.body));
      res.writeHead(answer.status, { 'Content-Type': 'application/json', 'Content-Length': bytes.length });
      if (plan === 'truncate') {
        res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => req.socket.destroy());
        return;
      }
      if (plan === 'split') {
        const third = Math.ceil(bytes.length / 3);
        res.write(bytes.subarray(0, third), () =>
          setTimeout(() => res.write(bytes.subarray(third, 2 * third), () => setTimeout(() => res.end(bytes.subarray(2 * third)), 5)), 5),
        );
        return;
      }
      res.end(bytes);
    });
  }

  private route(req: IncomingMessage, body: string): Answer {
    const path = (req.url ?? '').split('?')[0];
    const method = req.method ?? 'GET';
    const nowMs = this.ctx.nowMs();
    if (method === 'GET' && path === '/api/v1/version') return ok({ major: 1, minor: 3, patch: 0 });
    if (method === 'POST' && path === '/api/v1/auth/login') return this.login(body, nowMs);
    if (!this.authorised(req.headers.authorization, nowMs)) return error(401, 'missing or expired authentication token');
    const r = readNow(this.ctx);
    if (notReady(this.ctx, r)) return error(503, 'bosminer is not ready');
    const key = `${method} ${path}`;
    switch (key) {
      case 'GET /api/v1/miner/details':
        return ok(this.details(r));
      case 'GET /api/v1/miner/stats':
        return ok(stats(r));
      case 'GET /api/v1/miner/hw/hashboards':
        return ok({ hashboards: r.boards.map((b) => hashboard(b, r)) });
      case 'GET /api/v1/miner/errors':
        return ok({ errors: r.boards.filter((b) => !b.ok).map((b) => boardError(b.slot, nowMs)) });
      case 'GET /api/v1/configuration/constraints':
        return ok(this.constraints());
      case 'GET /api/v1/configuration/miner':
        return ok({ pool_groups: [], tuner: { enabled: true, hashrate_target: null, power_target: { watt: r.powerLimitW }, tuner_mode: 1 } });
      case 'GET /api/v1/performance/tuner-state':
        return ok(tunerState(r));
      case 'PUT /api/v1/performance/power-target':
        return this.setPowerTarget(body, nowMs);
      case 'PUT /api/v1/actions/pause': {
        const already = !r.mining;
        this.ctx.model.sleep(nowMs);
        return ok({ already_paused: already });
      }
      case 'PUT /api/v1/actions/resume': {
        const already = r.mining;
        this.ctx.model.wake(nowMs);
        return ok({ already_mining: already });
      }
      default:
        return error(404, `no such endpoint: ${method} ${path}`);
    }
  }

  private login(body: string, nowMs: number): Answer {
    const request = parseJson(body) as Partial<BraiinsCredentials> | undefined;
    if (!request || typeof request.username !== 'string' || typeof request.password !== 'string') {
      return error(400, 'username and password are required');
    }
    if (request.username !== this.credentials.username || request.password !== this.credentials.password) {
      return error(401, 'invalid username or password');
    }
    const token = Array.from({ length: 24 }, () => Math.floor(this.prng.next() * 36).toString(36)).join('');
    this.tokens.set(token, nowMs);
    return ok({ token, timeout_s: TOKEN_TIMEOUT_S });
  }

  private authorised(header: string | undefined, nowMs: number): boolean {
    const token = header?.replace(/^Bearer\s+/i, '').trim();
    const lastUseMs = token === undefined ? undefined : this.tokens.get(token);
    if (token === undefined || lastUseMs === undefined) return false;
    if (nowMs - lastUseMs > TOKEN_TIMEOUT_S * 1000) {
      this.tokens.delete(token);
      return false;
    }
    this.tokens.set(token, nowMs);
    return true;
  }

  private setPowerTarget(body: string, nowMs: number): Answer {
    const watt = (parseJson(body) as { watt?: unknown } | undefined)?.watt;
    if (typeof watt !== 'number' || !Number.isInteger(watt)) return error(400, 'watt must be a whole number of W');
    const outcome = this.ctx.model.setPowerLimit(nowMs, watt);
    switch (outcome.kind) {
      case 'applied':
        return ok({ power_target: { watt: outcome.powerLimitW } });
      case 'dropped':
      case 'ignored':
        return ok({ power_target: { watt } });
      case 'rejected':
        return error(outcome.code === 'not-ready' ? 503 : 400, outcome.message);
    }
  }

  private constraints(): unknown {
    const s = this.ctx.model.spec;
    return {
      tuner_constraints: {
        power_target: { default: { watt: s.ratedPowerW }, min: { watt: s.minPowerW }, max: { watt: s.ratedPowerW } },
        enabled: { default: true },
      },
    };
  }

  private details(r: MinerReadout): unknown {
    return {
      bos_version: { bos_plus: true, current: BOS_VERSION },
      bosminer_uptime_s: r.elapsedS,
      hostname: this.ctx.id,
      mac_address: '02:8f:77:00:00:01',
      miner_identity: { brand: 1, miner_model: MODEL_NAME, name: MODEL_NAME },
      status: r.mining ? 2 : 3,
      sticker_hashrate: { gigahash_per_second: this.ctx.model.spec.ratedHashrateThs * 1000 },
      system_uptime_s: r.elapsedS,
      uid: this.ctx.id,
    };
  }
}

function ghs(ths: number): { gigahash_per_second: number } {
  return { gigahash_per_second: ths * 1000 };
}

function stats(r: MinerReadout): unknown {
  const rate = ghs(r.hashrateThs);
  return {
    miner_stats: {
      nominal_hashrate: rate,
      real_hashrate: { last_5s: rate, last_15s: rate, last_30s: rate, last_1m: rate, last_5m: rate, last_15m: rate, since_restart: rate },
    },
    power_stats: {
      approximated_consumption: { watt: Math.round(r.powerW) },
      efficiency: { joule_per_terahash: r.hashrateThs > 0 ? r.powerW / r.hashrateThs : 0 },
    },
  };
}

function hashboard(b: MinerReadout['boards'][number], r: MinerReadout): unknown {
  return {
    id: String(b.slot + 1),
    enabled: true,
    board_temp: { degree_c: b.temperatureC },
    highest_chip_temp: { temperature: { degree_c: b.temperatureC + (b.ok && r.mining ? 15 : 0) } },
    chips_count: b.ok ? 108 : 0,
    stats: { real_hashrate: { last_5s: ghs(b.hashrateThs) } },
  };
}

function boardError(slot: number, nowMs: number): unknown {
  return { components: [], error_codes: [], message: `Hashboard ${slot + 1}: chip enumeration failed, board disabled`, timestamp: new Date(nowMs).toISOString() };
}

function tunerState(r: MinerReadout): unknown {
  return {
    overall_tuner_state: r.phase === 'hashing' ? 2 : 3,
    mode_state: { powertargetmodestate: { current_target: { watt: r.powerLimitW } } },
  };
}

function ok(body: unknown): Answer {
  return { status: 200, body };
}

function error(status: number, message: string): Answer {
  return { status, body: { message } };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
