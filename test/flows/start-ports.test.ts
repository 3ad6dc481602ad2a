import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { PortInUseError, closeServer, listen, reservePorts } from '../../scripts/start-ports';

const claim = (port: number) => ({ port, flag: '--mqtt-port', envName: 'FLAREGRID_MQTT_PORT' });

describe('npm start port checks', () => {
  let taken: Server;
  let takenPort: number;

  beforeEach(async () => {
    taken = createServer();
    await listen(taken, '127.0.0.1', claim(0));
    takenPort = (taken.address() as { port: number }).port;
  });

  afterEach(() => closeServer(taken));

  it('names the flag and variable of a port that is taken', async () => {
    await assert.rejects(reservePorts('127.0.0.1', [claim(takenPort)]), (err: unknown) => {
      assert.ok(err instanceof PortInUseError);
      assert.equal(err.code, 'EADDRINUSE');
      assert.equal(
        err.message,
        `port ${takenPort} is in use (is FlareGrid already running?); choose another with --mqtt-port or FLAREGRID_MQTT_PORT`,
      );
      return true;
    });
  });

  it('holds a free port until it is released, then leaves it to its owner', async () => {
    await closeServer(taken);
    const reservation = await reservePorts('127.0.0.1', [claim(takenPort)]);
    const other = createServer();
    await assert.rejects(listen(other, '127.0.0.1', claim(takenPort)), PortInUseError, 'another listener is refused while it is held');
    await reservation.release('--mqtt-port');
    taken = createServer();
    await listen(taken, '127.0.0.1', claim(takenPort));
    assert.equal((taken.address() as { port: number }).port, takenPort);
    await reservation.releaseAll();
  });

  it('releases what it holds when one of the ports is taken', async () => {
    const free = createServer();
    await listen(free, '127.0.0.1', claim(0));
    const freePort = (free.address() as { port: number }).port;
    await closeServer(free);
    const mine = { port: freePort, flag: '--port', envName: 'FLAREGRID_PORT' };
    await assert.rejects(reservePorts('127.0.0.1', [mine, claim(takenPort)]), PortInUseError);
    const again = createServer();
    await listen(again, '127.0.0.1', mine);
    await closeServer(again);
  });
});
