// A Node-RED of its own for a test, run by red-process.ts in a child process: a runtime embedded in the mocha
// process would share Node-RED's process-wide settings and log with node-red-node-test-helper, so every later
// node test would run with this one's credentialSecret and print its log.
//
// Arguments: the settings as JSON, the port. Prints READY_LINE once the flows run; SIGTERM or the end of
// stdin stops it.
import { startRed } from '../../scripts/start-red';

export const READY_LINE = 'flaregrid-test-red: ready';

async function main(): Promise<void> {
  const settings = JSON.parse(process.argv[2]) as Record<string, unknown>;
  const port = Number(process.argv[3]);
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
