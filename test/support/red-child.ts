// A Node-RED of its own for a test, run by red-process.ts in a child process: a runtime embedded in the mocha
// process would share Node-RED's process-wide settings and log with node-red-node-test-helper, so every later
// node test would run with this one's credentialSecret and print its log.
//
// Arguments: the settings as JSON, the port, and optionally a time (ms since the epoch) at which the flaregrid
// nodes' clock stands still while its timers run on the wall clock: two runs of one stream then stamp the same
// times (a settings file can only ask for a scaled clock). Prints READY_LINE once the flows run; SIGTERM or
// the end of stdin stops it.
import { wallClock, type Clock } from '../../lib/clock';
import { startRed } from '../../scripts/start-red';

export const READY_LINE = 'flaregrid-test-red: ready';

function stillClock(atMs: number): Clock {
  return { nowMs: () => atMs, setTimeout: wallClock.setTimeout, setInterval: wallClock.setInterval };
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2]) as Record<string, unknown>;
  const port = Number(process.argv[3]);
  if (process.argv[4] !== undefined) {
    settings.flaregrid = { ...(settings.flaregrid as object | undefined), clock: stillClock(Number(process.argv[4])) };
  }
  const red = await startRed(settings, '127.0.0.1', { port, flag: '--port', envName: 'FLAREGRID_PORT' });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void red.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  // stdin is a pipe from the test process: when that process dies, however it dies, this one stops too.
  process.stdin.on('end', stop).resume();
  console.log(READY_LINE);
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`flaregrid-test-red: ${err.stack ?? err.message}`);
    process.exit(1);
  });
}
