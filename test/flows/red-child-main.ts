// A Node-RED process for the payment tests (red-child.ts): it embeds
// Node-RED with the flows the parent wrote into FLAREGRID_USER_DIR and, for the crash test, kills
// itself with SIGKILL at the moment FLAREGRID_CRASH_AT names (afterIntent: the intent is on disk, the payment
// not sent; afterOutcome: LND has answered, the answer is not on disk), on its FLAREGRID_CRASH_ON-th payment.
import { createServer } from 'node:http';
import { join } from 'node:path';
import express from 'express';
import type { PaymentHooks } from '../../lib/payments/stream-driver';

const RED = require('node-red');

const userDir = process.env.FLAREGRID_USER_DIR!;
const crashAt = process.env.FLAREGRID_CRASH_AT as keyof PaymentHooks | undefined;
const crashOn = Number(process.env.FLAREGRID_CRASH_ON ?? '1');
let seen = 0;
const crash = () => {
  if (++seen === crashOn) process.kill(process.pid, 'SIGKILL');
};
const paymentHooks: PaymentHooks = crashAt ? { [crashAt]: crash } : {};

async function main(): Promise<void> {
  const app = express();
  const server = createServer(app);
  RED.init(server, {
    httpAdminRoot: '/admin',
    httpNodeRoot: '/',
    userDir,
    flowFile: 'flows.json',
    credentialSecret: false,
    nodesDir: [join(__dirname, '..', '..', '..')],
    flaregrid: { paymentHooks },
    logging: { console: { level: 'warn' } },
    telemetry: { enabled: false, updateNotification: false },
  });
  app.use('/admin', RED.httpAdmin);
  app.use('/', RED.httpNode);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const started = new Promise<void>((resolve) => RED.events.once('flows:started', () => resolve()));
  await RED.start();
  await started;
  const { port } = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ ready: true, port })}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
