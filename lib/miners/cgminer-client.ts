// A client of the CGMiner-style API (TCP 4028), written from cgminer's API-README: connect, write one JSON
// request, read until the miner closes (its reply ends with a NUL), one request per connection. The reply is
// read leniently, as firmwares send JSON that is not quite JSON (the repairs pyasic documents), and checked:
// STATUS S or I is an answer, "Not ready" a restart, anything else the firmware's error.
import { connect } from 'node:net';
import type { Clock } from '../clock';
import { MinerError, socketError } from './errors';

export interface Endpoint {
  host: string;
  port: number;
}

export interface CommandOptions {
  clock: Clock;
  /** per-command timeout on the clock, ms: no whole answer by then and the connection is dropped */
  timeoutMs: number;
}

export type CgminerReply = Record<string, unknown>;

const MAX_REPLY_BYTES = 4 * 1024 * 1024;

/** Sends one command and resolves to its checked reply; rejects with a MinerError. */
export async function cgminerCommand(endpoint: Endpoint, command: string, parameter: string | undefined, options: CommandOptions): Promise<CgminerReply> {
  const request = JSON.stringify(parameter === undefined ? { command } : { command, parameter });
  const text = await exchange(endpoint, request, options);
  const reply = parseReply(text, `${endpoint.host}:${endpoint.port}`);
  if (!command.includes('+')) checkStatus(reply, command);
  return reply;
}

/** One section of a `a+b` multi-command reply, checked like a single reply. */
export function joinedSection(reply: CgminerReply, command: string): CgminerReply {
  const section = reply[command];
  const inner = Array.isArray(section) ? (section[0] as unknown) : undefined;
  if (typeof inner !== 'object' || inner === null) throw new MinerError('GARBAGE', `the joined reply has no '${command}' section`);
  checkStatus(inner as CgminerReply, command);
  return inner as CgminerReply;
}

function exchange(endpoint: Endpoint, request: string, options: CommandOptions): Promise<string> {
  const where = `miner ${endpoint.host}:${endpoint.port}`;
  return new Promise((resolve, reject) => {
    let settled = false;
    const chunks: Buffer[] = [];
    let size = 0;
    const socket = connect({ host: endpoint.host, port: endpoint.port });
    const finish = (err: Error | undefined, text?: string) => {
      if (settled) return;
      settled = true;
      timer.cancel();
      socket.destroy();
      if (err) reject(err);
      else resolve(text!);
    };
    const timer = options.clock.setTimeout(
      () => finish(new MinerError('TIMEOUT', `${where} did not answer within ${Math.round(options.timeoutMs)} ms`)),
      options.timeoutMs,
    );
    // Written without a half-close, as pyasic and luxos-tooling do: some firmwares drop a half-closed socket.
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REPLY_BYTES) return finish(new MinerError('GARBAGE', `${where} sent more than ${MAX_REPLY_BYTES} bytes`));
      chunks.push(chunk);
      // The NUL ends the reply even when the miner is slow to close.
      if (chunk.includes(0)) finish(undefined, Buffer.concat(chunks).toString('utf8'));
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish(socketError(err, where)));
    socket.on('close', () => {
      if (size === 0) finish(new MinerError('CLOSED', `${where} closed the connection without answering`));
      else finish(undefined, Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** The reply as an object; TRUNCATED when it stops before its end, GARBAGE when it never was JSON. */
export function parseReply(text: string, where: string): CgminerReply {
  const terminated = text.includes('\0');
  const body = text.split('\0')[0]!.trim();
  if (!body.startsWith('{')) throw new MinerError('GARBAGE', `${where} answered something that is not JSON: ${preview(body)}`);
  for (const candidate of [body, repair(body)]) {
    try {
      const value: unknown = JSON.parse(candidate);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as CgminerReply;
    } catch {
      // try the repaired text next
    }
  }
  if (!terminated) throw new MinerError('TRUNCATED', `${where} closed in the middle of its answer (${body.length} bytes, no NUL)`);
  throw new MinerError('GARBAGE', `${where} answered JSON that cannot be read: ${preview(body)}`);
}

/** The malformed JSON firmwares are known to send (pyasic rpc/base.py _load_api_data). */
function repair(text: string): string {
  return text
    .replace(/[\r\n]+/g, '')
    .replace(/\}\s*\{/g, '},{')
    .replace(/,\s*([}\]])/g, '$1')
    .replace(/\[\s*,/g, '[')
    .replace(/:\s*-?(inf|nan)\b/gi, ':null');
}

function checkStatus(reply: CgminerReply, command: string): void {
  const status = reply.STATUS;
  const line = Array.isArray(status) ? (status[0] as Record<string, unknown> | undefined) : undefined;
  // restart and quit answer a bare {"STATUS":"RESTART"}; Whatsminer's single replies are flat.
  const letter = typeof status === 'string' ? status : line?.STATUS;
  const msg = String(line?.Msg ?? reply.Msg ?? '');
  if (letter === 'S' || letter === 'I' || letter === 'RESTART') return;
  if (/not ready/i.test(msg)) throw new MinerError('NOT_READY', `the miner is not ready for '${command}' (restarting)`);
  if (letter === undefined) throw new MinerError('GARBAGE', `the answer to '${command}' has no STATUS`);
  const code = line?.Code ?? reply.Code;
  throw new MinerError('API_ERROR', `the miner refused '${command}': ${msg || 'no message'} (code ${String(code)})`, {
    apiCode: typeof code === 'number' ? code : undefined,
  });
}

function preview(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(clean.length > 40 ? `${clean.slice(0, 40)}…` : clean);
}
