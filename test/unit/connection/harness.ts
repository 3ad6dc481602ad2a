import { SharedConnection } from '../../../lib/connection/shared-connection';
import type { ConnectionState, ConnectionUser, SharedConnectionOptions } from '../../../lib/connection/types';
import { FakeClock, settle } from '../../support/fake-clock';
import { FakeConnector, type FakeConnection } from '../../support/fake-connector';

/** A user that remembers every state it was told. */
export class RecordingUser implements ConnectionUser {
  readonly states: ConnectionState[] = [];

  onState(state: ConnectionState): void {
    this.states.push(state);
  }

  get last(): ConnectionState | undefined {
    return this.states.at(-1);
  }

  get kinds(): string[] {
    return this.states.map((state) => state.kind);
  }
}

export function harness(options: Partial<SharedConnectionOptions> = {}) {
  const clock = new FakeClock(0);
  const connector = new FakeConnector();
  const warnings: string[] = [];
  const shared = new SharedConnection<FakeConnection>(connector, {
    clock,
    // No jitter unless a test asks: the delays are then the ceilings, 1 s, 2 s, 4 s, 8 s, 8 s...
    backoff: { initialMs: 1000, maxMs: 8000, factor: 2, jitter: 0 },
    warn: (text) => warnings.push(text),
    ...options,
  });
  return { clock, connector, shared, warnings };
}

/** Lets the promise callbacks of connect and disconnect run. */
export async function flush(): Promise<void> {
  await settle();
  await settle();
}

/** Moves the fake clock and lets the promise callbacks that the timers started run. */
export async function advance(clock: FakeClock, ms: number): Promise<void> {
  await clock.advanceAsync(ms, Math.min(ms, 100));
  await flush();
}
