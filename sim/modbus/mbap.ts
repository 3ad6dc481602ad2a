// Modbus TCP framing: the MBAP header of the Modbus Messaging on TCP/IP Implementation Guide V1.0b (MB-TCP) §3.1.3
// in front of each PDU. TCP is a byte stream: a request may arrive in pieces or several in one segment, and only
// the header's length field says where one ends, so a header that cannot be trusted ends the connection.
import { MAX_PDU_BYTES } from './pdu';

/** MB-TCP §3.1.3: transaction id (2), protocol id (2), length (2), unit id (1). */
export const MBAP_HEADER_BYTES = 7;
/** MB-TCP §3.1.3: "0 = MODBUS protocol". */
const MODBUS_PROTOCOL_ID = 0;
/** Bytes of the header that the length field does not count (transaction id, protocol id, length). */
const UNCOUNTED_BYTES = 6;
/** MB-TCP §3.1.3: the length counts the unit id and the PDU; a PDU holds at least its function code. */
const MIN_LENGTH = 2;
/** Unit id + the largest PDU (MB-AP §4.1): a 260-byte ADU. */
const MAX_LENGTH = 1 + MAX_PDU_BYTES;
const EMPTY = Buffer.alloc(0);

export type FramingFault = 'protocol-id' | 'length';

/** Called once per complete request; `pdu` is only valid during the call. */
export type RequestHandler = (transactionId: number, unitId: number, pdu: Buffer) => void;

/**
 * Reassembles requests from the chunks of one connection. A protocol id other than 0 or a length outside
 * 2 … 254 is a fault: the stream has lost its framing (or was never Modbus), no later byte can be trusted to start
 * a frame, and the reader refuses everything after it. Each field is checked as soon as its bytes are in, so an
 * impossible length is refused at once rather than waited for.
 */
export class MbapReader {
  private pending = EMPTY;
  private fault: FramingFault | undefined;

  /** Hands every complete request in `chunk` (after what was pending) to `onRequest`, in order. */
  feed(chunk: Buffer, onRequest: RequestHandler): FramingFault | undefined {
    if (this.fault) return this.fault;
    const data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let offset = 0;
    for (;;) {
      const available = data.length - offset;
      if (available >= 4 && data.readUInt16BE(offset + 2) !== MODBUS_PROTOCOL_ID) return this.fail('protocol-id');
      if (available < UNCOUNTED_BYTES) break;
      const length = data.readUInt16BE(offset + 4);
      if (length < MIN_LENGTH || length > MAX_LENGTH) return this.fail('length');
      if (available < UNCOUNTED_BYTES + length) break;
      onRequest(data.readUInt16BE(offset), data[offset + 6]!, data.subarray(offset + MBAP_HEADER_BYTES, offset + UNCOUNTED_BYTES + length));
      offset += UNCOUNTED_BYTES + length;
    }
    // A copy: a partial frame (at most 259 bytes) must not pin the whole chunk it came in.
    this.pending = offset === data.length ? EMPTY : Buffer.from(data.subarray(offset));
    return undefined;
  }

  private fail(fault: FramingFault): FramingFault {
    this.fault = fault;
    this.pending = EMPTY;
    return fault;
  }
}

/** MB-TCP §3.1.3: the response recopies the transaction id, protocol id and unit id; the length is its own. */
export function mbapFrame(transactionId: number, unitId: number, pdu: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(MBAP_HEADER_BYTES + pdu.length);
  frame.writeUInt16BE(transactionId, 0);
  frame.writeUInt16BE(MODBUS_PROTOCOL_ID, 2);
  frame.writeUInt16BE(1 + pdu.length, 4);
  frame[6] = unitId;
  pdu.copy(frame, MBAP_HEADER_BYTES);
  return frame;
}
