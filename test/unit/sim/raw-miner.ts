// Raw clients for the simulated miners' tests, written from the vendor documents (the 4028 exchange of
// cgminer's API-README, the Braiins REST paths), so the tests depend neither on lib/miners nor on sim/miners.
import { connect } from 'node:net';

export interface RawReply {
  /** every byte the server sent, NUL included */
  bytes: Buffer;
  /** the server closed the connection (it always should after one reply) */
  closed: boolean;
}

/** Writes `request` on a fresh connection and collects bytes until the server closes, or `timeoutMs` passes. */
export function raw4028(port: number, request: string | Buffer, timeoutMs = 2000): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let bytes = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ bytes, closed: false });
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => (bytes = Buffer.concat([bytes, chunk])));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ bytes, closed: true });
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** One JSON command; asserts nothing, returns the parsed reply (without its trailing NUL). */
export async function command(port: number, cmd: string, parameter?: string): Promise<any> {
  const request = parameter === undefined ? { command: cmd } : { command: cmd, parameter };
  const reply = await raw4028(port, JSON.stringify(request));
  const text = reply.bytes.toString('utf8');
  if (!text.endsWith('\0')) throw new Error(`reply does not end with NUL: ${JSON.stringify(text.slice(-20))}`);
  return JSON.parse(text.slice(0, -1));
}

export async function rest(port: number, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/${path}`, {
    method,
    headers: options.token ? { Authorization: options.token } : {},
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

export async function braiinsLogin(port: number, username = 'root', password = ''): Promise<string> {
  const answer = await rest(port, 'POST', 'auth/login', { body: { username, password } });
  if (answer.status !== 200) throw new Error(`login failed: ${answer.status}`);
  return answer.body.token as string;
}
