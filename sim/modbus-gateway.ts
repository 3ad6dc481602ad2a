// One Modbus TCP port that serves every device by unit id, as a serial gateway does in the field.
//
// modbus-serial's ServerTCP is used with unitID 255 (every unit reaches the vector) and callback-style vector
// functions: for a unit that is not on the bus the callback is never called, so ServerTCP sends nothing and
// the client times out, as with a missing RS-485 device. ServerTCP binds `options.port || 502`, so port 0
// cannot reach it: a free port is found first by binding a throw-away listener to port 0.
import { createServer } from 'node:net';
import { FCallback, FCallbackVal, IServiceVector, ServerTCP } from 'modbus-serial';
import { SimError } from './errors';
import { Device, ILLEGAL_FUNCTION } from './maps';

class ModbusException extends Error {
  constructor(readonly modbusErrorCode: number) {
    super(`Modbus exception ${modbusErrorCode}`);
  }
}

export class ModbusGateway {
  private server?: ServerTCP;
  private readonly byUnit: Map<number, Device>;
  port = 0;

  constructor(
    devices: Device[],
    private readonly host: string,
  ) {
    this.byUnit = new Map(devices.map((d) => [d.info.unitId, d]));
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  /** Listens on `port` (0 = a free one on first start; later starts reuse the first port). */
  async start(port: number): Promise<number> {
    if (this.server) return this.port;
    const chosen = port === 0 ? await freePort(this.host) : port;
    const server = new ServerTCP(this.vector(), { host: this.host, port: chosen, unitID: 255 });
    await new Promise<void>((resolve, reject) => {
      server.once('initialized', () => resolve());
      server.once('serverError', (err: NodeJS.ErrnoException) => {
        server.close(() => undefined);
        reject(listenError(err, 'Modbus', this.host, chosen));
      });
    });
    // A client resetting its connection is routine for a server; it must not bring the plant down.
    server.on('socketError', () => undefined);
    server.on('error', () => undefined);
    this.server = server;
    this.port = chosen;
    return chosen;
  }

  /** Closes the port and every client connection (clients see the device vanish). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private vector(): IServiceVector {
    const read =
      (functionCode: number) =>
      (address: number, length: number, unitId: number, cb: FCallbackVal<number[]>): void => {
        const device = this.byUnit.get(unitId);
        if (!device) return;
        const result = device.read(functionCode, address, length);
        if (typeof result === 'number') cb(new ModbusException(result), []);
        else cb(null, result);
      };
    const readOne =
      (functionCode: number) =>
      (address: number, unitId: number, cb: FCallbackVal<number>): void =>
        read(functionCode)(address, 1, unitId, (err, values) => cb(err, values[0] ?? 0));
    // Every device is read-only: writes and bit reads answer "illegal function" from a device that exists.
    const refuse = (unitId: number, cb: FCallback): void => {
      if (this.byUnit.has(unitId)) cb(new ModbusException(ILLEGAL_FUNCTION));
    };
    const refuseBit = (_address: number, unitId: number, cb: FCallbackVal<boolean>) => refuse(unitId, (err) => cb(err, false));
    return {
      getMultipleHoldingRegisters: read(3),
      getHoldingRegister: readOne(3),
      getMultipleInputRegisters: read(4),
      getInputRegister: readOne(4),
      getCoil: refuseBit,
      getDiscreteInput: refuseBit,
      setCoil: (_address: number, _value: boolean, unitId: number, cb: FCallback) => refuse(unitId, cb),
      setRegister: (_address: number, _value: number, unitId: number, cb: FCallback) => refuse(unitId, cb),
      setRegisterArray: (_address: number, _value: number[], unitId: number, cb: FCallback) => refuse(unitId, cb),
    };
  }
}

/** A free TCP port on `host`, found by letting the OS pick one for a listener that is closed at once. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** A listen failure as a one-sentence SimError that keeps the system code (EADDRINUSE, EACCES, …). */
export function listenError(err: NodeJS.ErrnoException, face: string, host: string, port: number): SimError {
  const code = err.code ?? 'ERR_LISTEN';
  const reason =
    code === 'EADDRINUSE'
      ? 'is already in use (another simulator or program is listening there)'
      : `cannot be opened (${err.message})`;
  return new SimError(code, `${face} port ${port} on ${host} ${reason}; choose another port.`);
}
