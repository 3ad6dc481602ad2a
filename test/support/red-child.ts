// Node-RED embedded in a process of its own (scripts/start-red.ts), for tests that kill it with SIGKILL and
// start it again on the same userDir. argv[2] is a JSON file: {userDir, port, flows, clockMs?}. With clockMs the
// flaregrid nodes run on a clock that stands at that time (its timers run on wall time), so that two runs of one
// stream stamp the same times. Tells its parent 'started' over IPC once the flows run; SIGTERM stops it cleanly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFlowFile, type FlowNode } from '../../scripts/start-flows';
import { startRed } from '../../scripts/start-red';
import { wallClock, type Clock } from '../../lib/clock';

interface ChildSpec {
  userDir: string;
  port: number;
  flows: FlowNode[];
  clockMs?: number;
}

function stillClock(atMs: number): Clock {
  return { nowMs: () => atMs, setTimeout: wallClock.setTimeout, setInterval: wallClock.setInterval };
}

async function main(): Promise<void> {
  const spec = JSON.parse(readFileSync(process.argv[2], 'utf8')) as ChildSpec;
  writeFlowFile(spec.userDir, 'flows.json', spec.flows);
  const red = await startRed(
    {
      httpAdminRoot: '/', httpNodeRoot: '/api', userDir: spec.userDir, flowFile: 'flows.json', credentialSecret: 'red-child-test',
      nodesDir: [join(__dirname, '..', '..', '..')],
      telemetry: { enabled: false, updateNotification: false },
      editorTheme: { tours: false, projects: { enabled: false } },
      logging: { console: { level: 'warn', metrics: false, audit: false } },
      ...(spec.clockMs === undefined ? {} : { flaregrid: { clock: stillClock(spec.clockMs) } }),
    },
    '127.0.0.1',
    { port: spec.port, flag: '--port', envName: 'FLAREGRID_PORT' },
  );
  // SIGTERM stops the flows (close handlers run); SIGKILL, the crash, cannot be caught.
  process.once('SIGTERM', () => void red.stop().then(() => process.exit(0)));
  process.send?.('started');
}

main().catch((err: unknown) => {
  process.stderr.write(`red-child: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
