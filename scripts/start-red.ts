// Node-RED embedded in our own express server (research/nodered.md §4.1), started once its flows run.
import { createServer } from 'node:http';
import type { EventEmitter } from 'node:events';
import express from 'express';
import type { PortClaim } from './start-config';
import { closeServer, listen } from './start-ports';

// node-red ships no type declarations; this is the part of its embedding API used here.
interface EmbeddedRed {
  init(server: import('node:http').Server, settings: Record<string, unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: express.Handler;
  httpNode: express.Handler;
  events: EventEmitter;
}

export class FlowsNotStartedError extends Error {
  readonly code = 'FLOWS_NOT_STARTED';
  override readonly name = 'FlowsNotStartedError';
}

export interface RunningRed {
  stop(): Promise<void>;
}

interface RuntimeStateEvent {
  id?: string;
  payload?: { state?: string; error?: string; types?: string[]; modules?: { module: string }[] };
}

/** Resolves when the runtime reports its flows started; rejects when it reports why it could not. */
function flowsStarted(events: EventEmitter): Promise<void> {
  return new Promise((resolve, reject) => {
    const onEvent = (event: RuntimeStateEvent): void => {
      const state = event.id === 'runtime-state' ? event.payload?.state : undefined;
      if (state === undefined) return;
      events.off('runtime-event', onEvent);
      if (state === 'start') {
        resolve();
        return;
      }
      const p = event.payload ?? {};
      const detail =
        p.error === 'missing-types'
          ? `these node types are not installed: ${(p.types ?? []).join(', ')} (did the build run?)`
          : p.error === 'missing-modules'
            ? `these modules could not be loaded: ${(p.modules ?? []).map((m) => m.module).join(', ')}`
            : `the runtime stayed in state "${state}"${p.error ? ` (${p.error})` : ''}`;
      reject(new FlowsNotStartedError(`the flows did not start: ${detail}`));
    };
    events.on('runtime-event', onEvent);
  });
}

export async function startRed(settings: Record<string, unknown>, host: string, claim: PortClaim): Promise<RunningRed> {
  // Loaded here, not at the top, so that `--help` and bad flags answer without loading Node-RED; node-red
  // ships no type declarations, hence require with the interface above rather than an import.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RED = require('node-red') as EmbeddedRed;
  const app = express();
  const server = createServer(app);
  RED.init(server, settings);
  app.use(settings.httpAdminRoot as string, RED.httpAdmin);
  app.use(settings.httpNodeRoot as string, RED.httpNode);
  const started = flowsStarted(RED.events);
  // The runtime may report its flows' fate before RED.start() resolves; it is awaited below.
  started.catch(() => undefined);
  let redStarted = false;
  const stop = async (): Promise<void> => {
    if (redStarted) await RED.stop();
    if (!server.listening) return;
    // Browsers keep editor and dashboard connections alive; they would hold the server open.
    server.closeAllConnections();
    await closeServer(server);
  };
  try {
    await RED.start();
    redStarted = true;
    await started;
    // Listening only now, as Node-RED's own launcher does: the editor answers a request that arrives while the
    // runtime is still starting (an editor tab left open from the last run reloads at once) with 503 and logs
    // "[error] Node-RED runtime not started".
    await listen(server, host, claim);
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
}
