// A Modbus TCP peer that shares no code with FlareGrid's simulator or with node-red-contrib-modbus: both of those
// speak through modbus-serial, so a framing bug they share would pass every test between them. This one is
// jsmodbus's server, on 127.0.0.1 and a port the OS picks, serving the holding and input registers a test writes.
//
// It answers every unit id, as a one-device TCP gateway often does, and every address: registers nobody wrote
// read 0.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { server as modbusServers } from 'jsmodbus';

const REGISTER_COUNT = 0x10000;

/** register address (0-based, as on the wire) → 16-bit word */
export type RegisterMap = ReadonlyMap<number, number>;

export interface PeerRegisters {
  holding?: RegisterMap;
  input?: RegisterMap;
}

export interface ModbusPeer {
  port: number;
  /** Writes consecutive holding registers from `address`, each word taken modulo 2^16. */
  setHolding(address: number, words: readonly number[]): void;
  setInput(address: number, words: readonly number[]): void;
  stop(): Promise<void>;
}

function writeWords(table: Buffer, address: number, words: readonly number[]): void {
  if (!Number.isInteger(address) || address < 0 || address + words.length > REGISTER_COUNT) {
    throw new RangeError(`registers ${address}..${address + words.length - 1} are outside 0..${REGISTER_COUNT - 1}`);
  }
  words.forEach((word, i) => table.writeUInt16BE(word & 0xffff, (address + i) * 2));
}

function tableOf(map: RegisterMap | undefined): Buffer {
  const table = Buffer.alloc(REGISTER_COUNT * 2);
  for (const [address, word] of map ?? []) writeWords(table, address, [word]);
  return table;
}

export async function startPeer(registers: PeerRegisters = {}): Promise<ModbusPeer> {
  const holding = tableOf(registers.holding);
  const input = tableOf(registers.input);
  const net = createServer();
  const sockets = new Set<Socket>();
  net.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // jsmodbus reads the buffers at each request, so later writes reach the next answer.
  new modbusServers.TCP(net, { holding, input });
  await new Promise<void>((resolve, reject) => {
    net.once('error', reject);
    net.listen(0, '127.0.0.1', () => {
      net.off('error', reject);
      resolve();
    });
  });
  return {
    port: (net.address() as AddressInfo).port,
    setHolding: (address, words) => writeWords(holding, address, words),
    setInput: (address, words) => writeWords(input, address, words),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        net.close(() => resolve());
      }),
  };
}
