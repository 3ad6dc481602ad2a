// A small JSON-over-HTTP client for miner REST APIs (Braiins OS /api/v1): one request, a per-request timeout
// on the clock, and every failure as a MinerError (401 AUTH, 503 NOT_READY, a cut body TRUNCATED, a body that
// is not JSON GARBAGE).
import { request } from 'node:http';
import type { Clock } from '../clock';
import type { Endpoint } from './cgminer-client';
import { MinerError, socketError } from './errors';

export interface HttpOptions {
  clock: Clock;
  timeoutMs: number;
  /** sent as the Authorization header */
  token?: string;
  body?: unknown;
}

const MAX_BODY_BYTES = 1024 * 1024;

export function httpJson(endpoint: Endpoint, method: 'GET' | 'POST' | 'PUT', path: string, options: HttpOptions): Promise<unknown> {
  const where = `${method} http://${endpoint.host}:${endpoint.port}${path}`;
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, value?: unknown) => {
      if (settled) return;
      settled = true;
      timer.cancel();
      req.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    const headers: Record<string, string | number> = { Accept: 'application/json' };
    if (payload) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': payload.length });
    if (options.token) headers.Authorization = options.token;
    const req = request({ host: endpoint.host, port: endpoint.port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) finish(new MinerError('GARBAGE', `${where} sent more than ${MAX_BODY_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('aborted', () => finish(new MinerError('TRUNCATED', `${where}: the answer was cut short`)));
      res.on('error', () => finish(new MinerError('TRUNCATED', `${where}: the answer was cut short`)));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          return finish(new MinerError('GARBAGE', `${where} answered ${status} with a body that is not JSON`));
        }
        if (status >= 200 && status < 300) return finish(undefined, body);
        const message = typeof (body as { message?: unknown })?.message === 'string' ? (body as { message: string }).message : `HTTP ${status}`;
        const code = status === 401 || status === 403 ? 'AUTH' : status === 503 ? 'NOT_READY' : 'API_ERROR';
        finish(new MinerError(code, `${where}: ${message}`, { apiCode: status }));
      });
    });
    const timer = options.clock.setTimeout(
      () => finish(new MinerError('TIMEOUT', `${where} did not answer within ${Math.round(options.timeoutMs)} ms`)),
      options.timeoutMs,
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' && settled === false) return finish(new MinerError('CLOSED', `${where}: the connection was reset`, { cause: err }));
      finish(socketError(err, where));
    });
    req.end(payload);
  });
}
