// One request PDU in, one response PDU out, as the Modbus Application Protocol Specification V1.1b3 (MB-AP)
// lays it down. FC 03 and FC 04 read a device's register map; FC 01 and FC 05 read and write the coils of a
// device that has any (the prosumer meter's supply contactor). Everything else answers 01.

/** MB-AP §7, "MODBUS Exception Codes". */
export const ILLEGAL_FUNCTION = 0x01;
export const ILLEGAL_DATA_ADDRESS = 0x02;
export const ILLEGAL_DATA_VALUE = 0x03;
export const SERVER_DEVICE_FAILURE = 0x04;

/** MB-AP §4.1: the PDU is limited to 253 bytes by the first serial implementation (256 − address − CRC). */
export const MAX_PDU_BYTES = 253;
/** MB-AP §6.3 and §6.4: "Quantity of Registers 1 to 125 (0x7D)". */
export const MAX_READ_REGISTERS = 125;
/** Function code, starting address (2 bytes), quantity (2 bytes): MB-AP §6.3, §6.4. */
const READ_REQUEST_BYTES = 5;
/** MB-AP §4.1: an exception response carries the request's function code with its most significant bit set. */
const EXCEPTION_BIT = 0x80;

/** MB-AP §6.1: "Quantity of coils 1 to 2000 (0x7D0)". */
export const MAX_READ_COILS = 2000;

/** A device behind the gateway: FC 03 reads its holding registers, FC 04 its input registers. */
export interface ModbusUnit {
  /**
   * `quantity` registers from `address` (quantity already checked to be 1 … 125), or the exception code to
   * answer; a read outside the unit's map answers ILLEGAL_DATA_ADDRESS.
   */
  read(functionCode: 3 | 4, address: number, quantity: number): readonly number[] | number;
  /** A device with coils: `quantity` coils from `address`, or the exception code; without, FC 01/05 answer 01. */
  coils?: {
    read(address: number, quantity: number): readonly boolean[] | number;
    /** Sets one coil; undefined when done, else the exception code. */
    write(address: number, on: boolean): number | undefined;
  };
}

/**
 * The response PDU to `request` (1 … 253 bytes, framing already checked). The checks run in the order of the
 * state diagrams of MB-AP §6.3 and §6.4: function code (01), quantity (03), address range (02), then the read
 * itself (04 when it fails). A request of the wrong length for its function answers 03: MB-AP §7 lets 03
 * report "that the implied length is incorrect".
 */
export function respond(unit: ModbusUnit, request: Buffer): Buffer {
  const functionCode = request[0]!;
  if ((functionCode === 1 || functionCode === 5) && unit.coils) return respondCoils(unit.coils, functionCode, request);
  if (functionCode !== 3 && functionCode !== 4) return exception(functionCode, ILLEGAL_FUNCTION);
  if (request.length !== READ_REQUEST_BYTES) return exception(functionCode, ILLEGAL_DATA_VALUE);
  const address = request.readUInt16BE(1);
  const quantity = request.readUInt16BE(3);
  if (quantity < 1 || quantity > MAX_READ_REGISTERS) return exception(functionCode, ILLEGAL_DATA_VALUE);
  try {
    const registers = unit.read(functionCode, address, quantity);
    if (typeof registers === 'number') return exception(functionCode, registers);
    if (registers.length !== quantity) return exception(functionCode, SERVER_DEVICE_FAILURE);
    // MB-AP §6.3/§6.4 response: function code, byte count (2 × N), N registers high byte first.
    const response = Buffer.allocUnsafe(2 + 2 * quantity);
    response[0] = functionCode;
    response[1] = 2 * quantity;
    for (let i = 0; i < quantity; i++) response.writeUInt16BE(registers[i]!, 2 + 2 * i);
    return response;
  } catch {
    // A fault in the device model (or a value that is not a 16-bit register) is the device failing, not the
    // request: MB-AP §7, 04 server device failure, an unrecoverable error while performing the action.
    return exception(functionCode, SERVER_DEVICE_FAILURE);
  }
}

/**
 * FC 01 (MB-AP §6.1): quantity 1 … 2000, then the address range; the response packs the coils eight to a byte,
 * the first coil in the low bit. FC 05 (§6.5): the value is 0xFF00 (on) or 0x0000 (off), anything else 03; the
 * response echoes the request.
 */
function respondCoils(coils: NonNullable<ModbusUnit['coils']>, functionCode: 1 | 5, request: Buffer): Buffer {
  if (request.length !== READ_REQUEST_BYTES) return exception(functionCode, ILLEGAL_DATA_VALUE);
  const address = request.readUInt16BE(1);
  const value = request.readUInt16BE(3);
  if (functionCode === 5) {
    if (value !== 0xff00 && value !== 0x0000) return exception(functionCode, ILLEGAL_DATA_VALUE);
    const failed = coils.write(address, value === 0xff00);
    return failed === undefined ? Buffer.from(request) : exception(functionCode, failed);
  }
  if (value < 1 || value > MAX_READ_COILS) return exception(functionCode, ILLEGAL_DATA_VALUE);
  const states = coils.read(address, value);
  if (typeof states === 'number') return exception(functionCode, states);
  const response = Buffer.alloc(2 + Math.ceil(value / 8));
  response[0] = functionCode;
  response[1] = Math.ceil(value / 8);
  states.forEach((on, i) => {
    if (on) response[2 + (i >> 3)]! |= 1 << (i & 7);
  });
  return response;
}

function exception(functionCode: number, code: number): Buffer {
  return Buffer.from([functionCode | EXCEPTION_BIT, code]);
}
