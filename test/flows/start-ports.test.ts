import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { PortInUseError, assertPortsFree, closeServer, listen } from '../../scripts/start-ports';

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
    await assert.rejects(assertPortsFree('127.0.0.1', [claim(takenPort)]), (err: unknown) => {
      assert.ok(err instanceof PortInUseError);
      assert.equal(err.code, 'EADDRINUSE');
      assert.equal(
        err.message,
        `port ${takenPort} is in use (is FlareGrid already running?); choose another with --mqtt-port or FLAREGRID_MQTT_PORT`,
      );
      return true;
    });
  });

  it('leaves a free port free after checking it', async () => {
    await closeServer(taken);
    await assertPortsFree('127.0.0.1', [claim(takenPort)]);
    taken = createServer();
    await listen(taken, '127.0.0.1', claim(takenPort));
    assert.equal((taken.address() as { port: number }).port, takenPort);
  });
});
