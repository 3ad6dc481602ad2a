import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, Server } from 'node:net';
import { join } from 'node:path';
import { parseCli } from '../../../sim/cli-options';

const CLI = join(__dirname, '..', '..', '..', 'sim', 'cli.js');

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

describe('sim CLI', () => {
  it('reads flags, falls back to FLAREGRID_SIM_* variables, and flags win', () => {
    const result = parseCli(['--modbus-port', '6000', '--gensets', '3', '--part-load-curve'], {
      FLAREGRID_SIM_MODBUS_PORT: '7000',
      FLAREGRID_SIM_SEED: '9',
      FLAREGRID_SIM_GAS_FLOW_MCFD: '200',
    });
    assert.equal(result.help, false);
    if (result.help) return;
    assert.equal(result.options.modbusPort, 6000);
    assert.equal(result.options.truthPort, 5021);
    assert.equal(result.options.gensets, 3);
    assert.equal(result.options.seed, 9);
    assert.equal(result.options.partLoadCurve, true);
    assert.deepEqual(result.options.gas, { meanFlowMcfd: 200 });
  });

  it('rejects an unknown flag and a bad number with a one-line usage error', () => {
    assert.throws(() => parseCli(['--nope'], {}), { code: 'ERR_USAGE', message: /Unknown option '--nope'/ });
    assert.throws(() => parseCli([], { FLAREGRID_SIM_SPEEDUP: 'fast' }), {
      code: 'ERR_USAGE',
      message: "--speedup (or FLAREGRID_SIM_SPEEDUP) must be a number > 0, got 'fast'",
    });
  });

  it('--help lists the options and exits 0; a bad flag exits 2 without a stack trace', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    for (const flag of ['--modbus-port', '--truth-port', '--gensets', '--prosumers', '--miner-slots', '--seed', '--speedup', '--host']) {
      assert.ok(help.stdout.includes(flag), flag);
    }
    const bad = await runCli(['--gensets', 'many']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    assert.ok(!bad.stderr.includes('    at '));
  });

  it('a taken Modbus port exits 1 with one line naming the port', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await runCli(['--modbus-port', String(port), '--truth-port', '0']);
      assert.equal(run.code, 1);
      assert.equal(run.stderr.trim(), `flaregrid-sim: Modbus port ${port} on 127.0.0.1 is already in use (another simulator or program is listening there); choose another port.`);
    } finally {
      blocker.close();
    }
  });
});
