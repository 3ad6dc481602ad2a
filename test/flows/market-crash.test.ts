// Crash test: Node-RED in a child process runs the market flow (mqtt in -> matcher -> mqtt out, with delivery
// confirmed by a Complete node) against Aedes in this process. One run takes a stream of signed orders and
// cancels without interruption; another is killed with SIGKILL in the middle of the same stream, restarted on
// the same userDir, and sent the whole stream again (the participants do not know what was taken; replays are
// refused). Both end with the same book, the same state hash and the same trades: none lost, none different.
// Delivery across the crash is at least once: a trade the broker had when the process died may come again,
// identical, and is counted.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topics } from '../../lib/topics';
import type { Cancel, Order, Trade } from '../../lib/schemas';
import { orderStream, testParticipant } from '../support/market';
import { CONTROL_TOPIC, marketFlow } from '../support/market-flow';
import { startTestBroker, TestClient, type TestBroker } from '../support/mqtt';
import { packageRedSettings, startRedProcess, type RedProcess } from '../support/red-process';

const topics = new Topics();
const NOW_MS = Date.parse('2026-12-01T06:07:30Z');
const STREAM_LENGTH = 2000;

interface Book {
  openOrders: number;
  stateHash: string;
  [field: string]: unknown;
}

interface RunResult {
  book: Book;
  /** every trade message received, in order of arrival */
  deliveries: Trade[];
}

describe('market crash test: SIGKILL in the middle of an order stream', function () {
  this.timeout(180_000);
  const participants = Array.from({ length: 6 }, (_, i) => testParticipant(`p${i}`, i + 1));
  const stream = orderStream(participants, STREAM_LENGTH, NOW_MS);
  let broker: TestBroker;
  const dirs: string[] = [];
  const running: RedProcess[] = [];

  before(async () => (broker = await startTestBroker()));
  after(async () => {
    for (const red of running) await red.kill();
    await broker.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A market site of its own: a user dir with the market flow, and the participants' MQTT clients. */
  async function market(): Promise<{ settings: Record<string, unknown>; observer: TestClient; sender: TestClient }> {
    const userDir = mkdtempSync(join(tmpdir(), 'flaregrid-crash-'));
    dirs.push(userDir);
    const flows = marketFlow({ brokerPort: broker.port, dataDir: join(userDir, 'market'), participants: participants.map((p) => p.entry), matcher: { retryS: 30, rateOrders: 100_000 } });
    const observer = await TestClient.connect(broker.url, `observer-${dirs.length}`);
    await observer.subscribe(topics.trades('well-7'), topics.book('well-7'));
    const sender = await TestClient.connect(broker.url, `sender-${dirs.length}`);
    return { settings: packageRedSettings(userDir, flows), observer, sender };
  }

  /** Starts Node-RED on the site's user dir and waits until the matcher answers a snapshot request over MQTT. */
  async function start(settings: Record<string, unknown>, observer: TestClient): Promise<RedProcess> {
    const red = await startRedProcess(settings, { stillClockMs: NOW_MS });
    running.push(red);
    const books = () => observer.on(topics.book('well-7')).length;
    const before = books();
    const deadline = Date.now() + 20_000;
    while (books() === before) {
      if (Date.now() > deadline) throw new Error(`the matcher did not answer on MQTT: ${red.output()}`);
      await observer.publish(CONTROL_TOPIC, 'snapshot');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return red;
  }

  async function publish(sender: TestClient, messages: readonly (Order | Cancel)[]): Promise<void> {
    for (const message of messages) await sender.publish(topics.orders('well-7'), message);
  }

  /**
   * The book once the market is done with the stream: its state hash and the trades received unchanged for 5 s
   * (a journal sync on a busy disk can hold trades back for seconds), or, given the uninterrupted run, once the
   * hash and every trade of that run are there. The book is asked for every 300 ms.
   */
  async function settled(observer: TestClient, expected?: { stateHash: string; tradeIds: readonly string[] }): Promise<Book> {
    let last = '';
    let since = Date.now();
    const deadline = Date.now() + 90_000;
    for (;;) {
      await observer.publish(CONTROL_TOPIC, 'snapshot');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const book = observer.on(topics.book('well-7')).at(-1)?.payload as Book;
      const ids = new Set(observer.on(topics.trades('well-7')).map((m) => (m.payload as Trade).id));
      if (expected) {
        if (book.stateHash === expected.stateHash && expected.tradeIds.every((id) => ids.has(id))) return book;
      } else {
        const now = `${book.stateHash} ${ids.size}`;
        if (now !== last) [last, since] = [now, Date.now()];
        else if (Date.now() - since >= 5000) return book;
      }
      if (Date.now() > deadline) {
        const { slots: _slots, ...summary } = book;
        throw new Error(`the market did not settle (${JSON.stringify(summary)}, ${ids.size} trades received${expected ? `, expected ${expected.tradeIds.length} and state hash ${expected.stateHash}` : ''})`);
      }
    }
  }

  async function stopped(red: RedProcess, observer: TestClient, sender: TestClient): Promise<void> {
    await red.stop();
    await observer.end();
    await sender.end();
  }

  it('ends with the book, state hash and trades of an uninterrupted run; no trade lost', async () => {
    const uninterrupted = await (async (): Promise<RunResult> => {
      const { settings, observer, sender } = await market();
      const red = await start(settings, observer);
      await publish(sender, stream);
      const book = await settled(observer);
      const deliveries = observer.on(topics.trades('well-7')).map((m) => m.payload as Trade);
      await stopped(red, observer, sender);
      return { book, deliveries };
    })();
    const trades = uninterrupted.deliveries;
    assert.ok(trades.length > STREAM_LENGTH / 5, `the stream trades (${trades.length} trades)`);
    assert.equal(new Set(trades.map((t) => t.id)).size, trades.length, 'no trade twice in the uninterrupted run');

    const crashed = await (async (): Promise<RunResult & { beforeKill: number }> => {
      const { settings, observer, sender } = await market();
      const red = await start(settings, observer);
      // The whole stream in flight at once; when a third of the trades are out, the matcher is working through
      // its backlog: kill it there.
      const acks = stream.map((message) => sender.publish(topics.orders('well-7'), message));
      await observer.until((r) => r.filter((m) => m.topic === topics.trades('well-7')).length >= trades.length / 3, 'a third of the trades', 60_000);
      await red.kill();
      await Promise.all(acks);
      // what the broker had before the kill reaches the observer within moments
      await new Promise((resolve) => setTimeout(resolve, 500));
      const beforeKill = observer.on(topics.trades('well-7')).length;
      const restarted = await start(settings, observer);
      await publish(sender, stream);
      const expected = { stateHash: uninterrupted.book.stateHash, tradeIds: trades.map((t) => t.id) };
      const book = await settled(observer, expected).catch((err: Error) => {
        const { slots: _slots, ...summary } = uninterrupted.book;
        throw new Error(`${err.message}; uninterrupted: ${JSON.stringify(summary)}; Node-RED said: ${restarted.output()}`);
      });
      // time for a trade that should not come (a new one, or a copy of one not in flight at the kill) to show
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const deliveries = observer.on(topics.trades('well-7')).map((m) => m.payload as Trade);
      await stopped(restarted, observer, sender);
      return { book, deliveries, beforeKill };
    })();

    assert.ok(crashed.beforeKill > 0 && crashed.beforeKill < trades.length, `killed mid-stream (${crashed.beforeKill} of ${trades.length} trades out)`);
    assert.deepEqual(crashed.book, uninterrupted.book, 'the same book and state hash');
    const firstCopy = new Map<string, Trade>();
    let duplicates = 0;
    for (const trade of crashed.deliveries) {
      const seen = firstCopy.get(trade.id);
      if (seen) {
        duplicates++;
        assert.deepEqual(trade, seen, `a trade sent again is the same trade (${trade.id})`);
      } else firstCopy.set(trade.id, trade);
    }
    assert.deepEqual([...firstCopy.keys()].sort(), trades.map((t) => t.id).sort(), 'the same trade ids: none lost, none extra');
    for (const trade of trades) assert.deepEqual(firstCopy.get(trade.id), trade, `trade ${trade.id} is the trade of the uninterrupted run`);
    // Sent again only around the crash: at most the trades that were out before it (the broker had them, their
    // confirmation was not yet marked).
    assert.ok(duplicates <= crashed.beforeKill, `${duplicates} trades delivered twice around the crash, ${crashed.beforeKill} out before it`);
    console.log(`      crash after ${crashed.beforeKill} of ${trades.length} trades; ${duplicates} delivered again after the restart`);
  });
});
