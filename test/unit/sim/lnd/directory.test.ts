// lightning.json and the plant's /truth name every node's socket, pubkey, cert and macaroon paths; a client that
// has only those files connects, as it would to a real node's --lnddir.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startPlant } from '../../../../sim';
import type { LightningDirectory } from '../../../../sim/lnd';
import { ln, removeDir, startNetwork, tempDir } from './support';

describe('sim/lnd directory and truth', function () {
  this.timeout(20_000);

  it('lightning.json has what any LND client needs, in lnd\'s file layout', async () => {
    const net = await startNetwork({
      nodes: [{ alias: 'site-a' }, { alias: 'site-b', acceptsKeysend: true }],
      channels: [{ from: 'site-a', to: 'site-b', capacitySat: 250_000 }],
    });
    try {
      const directory = JSON.parse(readFileSync(net.directoryFile, 'utf8')) as LightningDirectory;
      assert.deepEqual(directory, net.directory());
      assert.equal(directory.network, 'regtest');
      const b = directory.nodes.find((n) => n.alias === 'site-b')!;
      assert.equal(b.pubkey, net.node('site-b').pubkey);
      assert.equal(b.socket, `127.0.0.1:${b.port}`);
      assert.equal(b.acceptsKeysend, true);
      assert.match(b.macaroons.admin, /site-b\/data\/chain\/bitcoin\/regtest\/admin\.macaroon$/);
      assert.match(b.certPath, /site-b\/tls\.cert$/);
      assert.deepEqual(directory.channels.map((c) => [c.from, c.to, c.capacitySat]), [['site-a', 'site-b', 250_000]]);

      // nothing but the files
      const { lnd } = ln.authenticatedLndGrpc({
        cert: readFileSync(b.certPath).toString('base64'),
        macaroon: readFileSync(b.macaroons.readonly).toString('hex'),
        socket: b.socket,
      });
      assert.equal((await ln.getWalletInfo({ lnd })).public_key, b.pubkey);
    } finally {
      await net.stop();
    }
  });

  it('the plant\'s /truth includes the network: nodes, balances on both sides, node states', async () => {
    const net = await startNetwork({ nodes: [{ alias: 'a' }, { alias: 'b' }], channels: [{ from: 'a', to: 'b', capacitySat: 100_000, localSat: 60_000 }] });
    const plant = await startPlant({ realtime: false, lightning: net });
    try {
      const truth = (await (await fetch(plant.truthUrl)).json()) as { lightning: ReturnType<typeof net.truth> };
      assert.deepEqual(truth.lightning.nodes, net.directory().nodes);
      assert.deepEqual(
        truth.lightning.balances.map((b) => [b.fromMsat, b.toMsat, b.inFlightMsat, b.active]),
        [['60000000', '40000000', '0', true]],
      );
      assert.deepEqual(truth.lightning.nodeStates.map((s) => [s.alias, s.running, s.walletLocked]), [['a', true, false], ['b', true, false]]);
      await net.node('b').stop();
      assert.equal(plant.truth().lightning?.balances[0].active, false);
      assert.equal(plant.truth().lightning?.nodeStates[1].running, false);
    } finally {
      await plant.stop();
      await net.stop();
    }
  });

  it('refuses bad options with a sentence', async () => {
    await assert.rejects(startNetwork({ nodes: [] }), { code: 'ERR_OPTION', message: /at least one node/ });
    await assert.rejects(startNetwork({ nodes: [{ alias: 'a' }, { alias: 'a' }] }), { code: 'ERR_OPTION', message: /given twice/ });
    await assert.rejects(startNetwork({ nodes: [{ alias: '../x' }] }), { code: 'ERR_OPTION', message: /alias/ });
    await assert.rejects(startNetwork({ nodes: [{ alias: 'a' }], channels: [{ from: 'a', to: 'z', capacitySat: 1 }] }), { code: 'ERR_OPTION', message: /no node 'z'/ });
    await assert.rejects(startNetwork({ nodes: [{ alias: 'a' }, { alias: 'b' }], channels: [{ from: 'a', to: 'b', capacitySat: 10, localSat: 11 }] }), { code: 'ERR_OPTION' });
  });

  it('a requested port that is taken: EADDRINUSE with a sentence naming it; the last run\'s port is only a preference', async () => {
    const first = await startNetwork({ nodes: [{ alias: 'a' }] });
    try {
      const port = first.node('a').port;
      await assert.rejects(startNetwork({ nodes: [{ alias: 'b', port }] }), {
        code: 'EADDRINUSE',
        message: `LND gRPC (b) port ${port} on 127.0.0.1 is already in use (another simulator or program is listening there); choose another port.`,
      });
      // a network whose last port is now someone else's starts on another one
      const dir = tempDir();
      const again = await startNetwork({ dir, nodes: [{ alias: 'c' }] });
      const lastPort = again.node('c').port;
      await again.stop();
      const squatter = await startNetwork({ nodes: [{ alias: 'd', port: lastPort }] });
      try {
        const moved = await startNetwork({ dir, nodes: [{ alias: 'c' }] });
        assert.notEqual(moved.node('c').port, lastPort);
        await moved.stop();
      } finally {
        await squatter.stop();
        removeDir(dir);
      }
    } finally {
      await first.stop();
    }
  });
});
