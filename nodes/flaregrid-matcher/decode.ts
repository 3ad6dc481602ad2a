// An mqtt in node hands the matcher the message as text (or a Buffer); lib/market takes objects. The text is
// measured before it is parsed, so an oversized message costs no parse, and text that is not JSON becomes a
// Reject like any other bad input.
import type { Reject } from '../../lib/schemas';

const SHOWN_CHARS = 200;

export type Decoded = { message: unknown } | { reject: Reject };

function reject(reason: Reject['reason'], message: string, text: string): { reject: Reject } {
  const order = text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text;
  return { reject: { type: 'reject', orderId: '', reason, message, order } };
}

export function decodeMessage(payload: unknown, maxMessageBytes: number): Decoded {
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return { message: payload };
  const bytes = Buffer.byteLength(payload);
  const text = payload.toString();
  if (bytes > maxMessageBytes) return reject('oversized', `the message is ${bytes} bytes; the market takes at most ${maxMessageBytes} (maxMessageBytes)`, text);
  try {
    return { message: JSON.parse(text) };
  } catch (err) {
    return reject('malformed', `the message is not JSON: ${(err as Error).message}`, text);
  }
}
