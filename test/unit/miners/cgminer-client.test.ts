import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { wallClock } from '../../../lib/clock';
import { cgminerCommand, joinedSection, parseReply } from '../../../lib/miners/cgminer-client';

/** A one-shot 4028-style server answering every request with `reply` (or nothing). */
async function serve(reply: string | Buffer | undefined): Promise<{ port: number; server: Server; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((socket) => {
    socket.on('data', (d) => {
      requests.push(d.toString());
      if (reply !== undefined) socket.end(reply);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, server, requests };
}

const options = { clock: wallClock, timeoutMs: 300 };

describe('4028 API client', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.close();
    }
  });

  it('sends JSON without a terminator and reads the reply up to its NUL', async () => {
    const { port, server, requests } = await serve('{"STATUS":[{"STATUS":"S","Code":11,"Msg":"Summary"}],"SUMMARY":[{"GHS 5s":"1.5"}],"id":1}\0');
    servers.push(server);
    const reply = await cgminerCommand({ host: '127.0.0.1', port }, 'summary', undefined, options);
    assert.deepEqual(requests, ['{"command":"summary"}']);
    assert.deepEqual(reply.SUMMARY, [{ 'GHS 5s': '1.5' }]);
  });

  it('reads each section of a joined reply and checks its own STATUS', async () => {
    const ok = '{"STATUS":[{"STATUS":"S","Code":11}],"SUMMARY":[{}],"id":1}';
    const bad = '{"STATUS":[{"STATUS":"E","Code":14,"Msg":"Invalid command"}],"id":1}';
    const { port, server } = await serve(`{"summary":[${ok}],"nope":[${bad}],"id":1}\0`);
    servers.push(server);
    const reply = await cgminerCommand({ host: '127.0.0.1', port }, 'summary+nope', undefined, options);
    assert.deepEqual(joinedSection(reply, 'summary').SUMMARY, [{}]);
    assert.throws(() => joinedSection(reply, 'nope'), { code: 'API_ERROR', apiCode: 14 });
  });

  it('tells a timeout, a refusal, a silent close, a cut reply, garbage and Not ready apart', async () => {
    const stall = await serve(undefined);
    servers.push(stall.server);
    await assert.rejects(cgminerCommand({ host: '127.0.0.1', port: stall.port }, 'summary', undefined, options), { code: 'TIMEOUT' });
    stall.server.close();
    await new Promise((r) => setTimeout(r, 20));
    await assert.rejects(cgminerCommand({ host: '127.0.0.1', port: stall.port }, 'summary', undefined, options), { code: 'REFUSED' });
    const silent = await serve('');
    servers.push(silent.server);
    await assert.rejects(cgminerCommand({ host: '127.0.0.1', port: silent.port }, 'summary', undefined, options), { code: 'CLOSED' });
    for (const [reply, code] of [
      ['{"STATUS":[{"STATUS":"S","Code":11}],"SUMM', 'TRUNCATED'],
      [Buffer.from([0x3c, 0x68, 0x74, 0xff, 0x00]), 'GARBAGE'],
      ['{"STATUS":[{"STATUS":"E","Code":1,"Msg":"Not ready"}],"id":1}\0', 'NOT_READY'],
      ['{"STATUS":[{"STATUS":"E","Code":45,"Msg":"Access denied"}],"id":1}\0', 'API_ERROR'],
    ] as const) {
      const s = await serve(reply);
      servers.push(s.server);
      await assert.rejects(cgminerCommand({ host: '127.0.0.1', port: s.port }, 'summary', undefined, options), { code });
    }
  });

  it('repairs the malformed JSON firmwares send', () => {
    const reply = parseReply('{"STATUS":[{"STATUS":"S"}],"STATS":[{"a":1,}{"b":inf}],"id":1}\0', 'test');
    assert.deepEqual(reply.STATS, [{ a: 1 }, { b: null }]);
    assert.throws(() => parseReply('{"STATUS":[', 'test'), { code: 'TRUNCATED' });
    assert.throws(() => parseReply('{"STATUS":[\0', 'test'), { code: 'GARBAGE' });
  });
});
