import assert from 'node:assert/strict';
import ModbusRTU from 'modbus-serial';
import { RunningPlant, startPlant } from '../../../sim';

// The test decodes registers by hand from sim/README.md, independently of sim/encoding.ts.
const s32 = (hi: number, lo: number) => ((hi << 16) | lo) >> 0;
const u32 = (hi: number, lo: number) => hi * 65536 + lo;
const u64Cdab = (w: number[]) => w.reduce((acc, word, i) => acc + (BigInt(word) << BigInt(16 * i)), 0n);
const s16 = (w: number) => (w >= 0x8000 ? w - 0x10000 : w);
const float = (hi: number, lo: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(hi, 0);
  b.writeUInt16BE(lo, 2);
  return b.readFloatBE(0);
};
const text = (words: number[]) =>
  Buffer.from(words.flatMap((w) => [w >> 8, w & 0xff])).toString('ascii').replace(/\0+$/, '');

async function client(port: number, timeoutMs = 1000): Promise<ModbusRTU> {
  const c = new ModbusRTU();
  await c.connectTCP('127.0.0.1', { port });
  c.setTimeout(timeoutMs);
  return c;
}

function close(c: ModbusRTU): Promise<void> {
  return new Promise((resolve) => (c.isOpen ? c.close(() => resolve()) : resolve()));
}

describe('sim Modbus faces', () => {
  let plant: RunningPlant;
  let c: ModbusRTU;

  before(async () => {
    plant = await startPlant({
      realtime: false,
      seed: 5,
      startTime: '2026-06-01T11:00:00Z', // the workshop's solar exports at midday
      counterPresets: { prosumer1: { forwardWh: 2n ** 40n + 5n } },
    });
    plant.setMinerSlotPowerW(0, 150_000);
    plant.setMinerSlotPowerW(1, 100_000);
    plant.advance(120_000);
    c = await client(plant.modbusPort);
  });

  after(async () => {
    await close(c);
    await plant.stop();
  });

  it('lists the unit ids of every device', () => {
    assert.deepEqual(plant.units, { busMeter: 1, minerFeeder: 2, gensets: [11, 12], prosumers: [21, 22, 23, 24] });
  });

  it('FG-GC1: the 14-register block equals the truth', async () => {
    c.setID(11);
    const r = (await c.readHoldingRegisters(0, 14)).data;
    const t = plant.truth().devicesByUnitId['11']!;
    assert.equal(r[0], t.runState);
    assert.equal(r[1], t.alarms);
    assert.equal(s32(r[2]!, r[3]!), Math.round(t.powerW as number));
    assert.equal(u32(r[4]!, r[5]!), Math.round(t.availablePowerW as number));
    assert.equal(u32(r[6]!, r[7]!), 400_000);
    assert.equal(r[8], Math.round((t.fuelScfm as number) * 10));
    assert.equal(r[9], Math.round((t.loadPercent as number) * 10));
    assert.equal(u32(r[10]!, r[11]!), t.energyForwardWh);
    assert.equal(r[12], Math.round((t.voltageV as number) * 10));
    assert.equal(r[13], 1200);
  });

  it('FG-PM1: CDAB s32 negative power for an exporting prosumer and a CDAB u64 counter', async () => {
    c.setID(23);
    const r = (await c.readHoldingRegisters(0, 14)).data;
    const t = plant.truth().devicesByName.prosumer3!;
    assert.ok((t.powerW as number) < 0, 'the workshop exports at 11:00');
    assert.equal(s32(r[4]!, r[3]!), Math.round(t.powerW as number));
    assert.equal(s32(r[2]!, r[1]!), Math.round(((t.powerW as number) / (t.voltageV as number)) * 1000));
    assert.equal(r[0], Math.round((t.voltageV as number) * 10));
    assert.equal(u64Cdab(r.slice(9, 13)), BigInt(t.energyReverseWh as number));
    c.setID(21);
    const p1 = (await c.readHoldingRegisters(0, 14)).data;
    const t1 = plant.truth().devicesByName.prosumer1!;
    assert.equal(p1[8], 0);
    assert.equal(p1[7], 256, 'bit 40 lands in the third word (bits 32–47)');
    assert.equal(u64Cdab(p1.slice(5, 9)), BigInt(t1.energyForwardWh as number));
    assert.ok(u64Cdab(p1.slice(5, 9)) > 2n ** 40n + 5n);
    assert.equal(p1[13], 0);
  });

  it('FG-BM1: SunS marker, model chain, strings and scaled points equal the truth', async () => {
    c.setID(1);
    const head = (await c.readHoldingRegisters(40000, 70)).data;
    assert.deepEqual(head.slice(0, 2), [0x5375, 0x6e53]);
    assert.deepEqual(head.slice(2, 4), [1, 66]);
    assert.equal(text(head.slice(4, 20)), 'FlareGrid');
    assert.equal(text(head.slice(20, 36)), 'FG-BM1');
    assert.equal(text(head.slice(36, 44)), 'DC');
    assert.equal(text(head.slice(44, 52)), '1.0');
    assert.equal(head[68], 1);
    const [id, len] = (await c.readHoldingRegisters(40070, 2)).data;
    assert.deepEqual([id, len], [201, 105]);
    assert.deepEqual((await c.readHoldingRegisters(40072 + 105, 2)).data, [0xffff, 0]);
    const m = (await c.readHoldingRegisters(40072, 105)).data;
    const t = plant.truth().devicesByName.busMeter!;
    const sf = (i: number) => 10 ** s16(m[i]!);
    assert.ok(Math.abs(s16(m[16]!) * sf(20) - (t.powerW as number)) <= sf(20) / 2);
    assert.ok(Math.abs(s16(m[5]!) * sf(13) - (t.voltageV as number)) <= sf(13) / 2);
    assert.ok(Math.abs(s16(m[0]!) * sf(4) - (t.currentA as number)) <= sf(4) / 2);
    assert.equal(u32(m[44]!, m[45]!), t.energyForwardWh);
    assert.equal(u32(m[36]!, m[37]!), 0);
    assert.equal(m[52], 0);
    assert.deepEqual([s16(m[4]!), s16(m[13]!), s16(m[20]!)], [-1, -1, 2], '920 kW of sources need 100 W steps');
    assert.equal(m[14], 0x8000, 'Hz is not implemented on DC');
    assert.equal(m[15], 0x8000, 'Hz_SF is not implemented');
    assert.deepEqual([m[53], m[54]], [0, 0], 'acc32 not implemented is 0');
    assert.deepEqual([m[103], m[104]], [0, 0], 'Evt: no events');
  });

  it('SDM630: float32 input registers equal the truth', async () => {
    c.setID(2);
    const r = (await c.readInputRegisters(0, 80)).data;
    const f = (address: number) => float(r[address]!, r[address + 1]!);
    const t = plant.truth().devicesByName.minerFeeder!;
    assert.equal(t.powerW, 250_000);
    for (const a of [0, 2, 4]) assert.equal(f(a), 230);
    for (const a of [12, 14, 16]) assert.ok(Math.abs(f(a) - 250_000 / 3) < 0.01);
    for (const a of [6, 8, 10]) assert.ok(Math.abs(f(a) - 250_000 / 3 / 230) < 0.001);
    assert.equal(f(52), 250_000);
    assert.equal(f(70), 60);
    assert.equal(f(72), Math.fround((t.energyForwardWh as number) / 1000));
    assert.equal(f(74), 0);
    assert.equal(f(20), 0, 'unlisted addresses inside 0–79 answer 0.0');
    const total = (await c.readInputRegisters(342, 2)).data;
    assert.equal(float(total[0]!, total[1]!), f(72));
  });

  it('answers exception 02 outside the maps and 01 to writes', async () => {
    const expectCode = async (op: () => Promise<unknown>, code: number) =>
      assert.rejects(op, (err: { modbusCode?: number }) => err.modbusCode === code);
    c.setID(11);
    await expectCode(() => c.readHoldingRegisters(10, 10), 2);
    await expectCode(() => c.readHoldingRegisters(14, 1), 2);
    await expectCode(() => c.readInputRegisters(0, 2), 2);
    await expectCode(() => c.writeRegister(0, 1), 1);
    c.setID(1);
    await expectCode(() => c.readHoldingRegisters(39999, 2), 2);
    await expectCode(() => c.readHoldingRegisters(40000, 126), 3);
    await expectCode(() => c.readHoldingRegisters(40170, 10), 2);
    c.setID(2);
    await expectCode(() => c.readInputRegisters(78, 4), 2);
    await expectCode(() => c.readInputRegisters(100, 2), 2);
    await expectCode(() => c.readHoldingRegisters(0, 2), 2);
    c.setID(21);
    await expectCode(() => c.writeRegisters(0, [1, 2]), 1);
  });

  it('does not answer a unit id that is not on the bus (the client times out)', async () => {
    const lone = await client(plant.modbusPort, 300);
    lone.setID(99);
    await assert.rejects(() => lone.readHoldingRegisters(0, 1), (err: { errno?: string }) => err.errno === 'ETIMEDOUT');
    await close(lone);
  });

  it('stops and restarts the Modbus server on the same port', async () => {
    const port = plant.modbusPort;
    await plant.stopModbus();
    await assert.rejects(() => client(port), /ECONNREFUSED/);
    await plant.startModbus();
    assert.equal(plant.modbusPort, port);
    await close(c);
    c = await client(port);
    c.setID(12);
    assert.equal((await c.readHoldingRegisters(6, 2)).data[1], 400_000 & 0xffff);
  });

  it('serves the ground truth as JSON and a health check', async () => {
    const res = await fetch(plant.truthUrl);
    assert.equal(res.headers.get('content-type'), 'application/json');
    const body = (await res.json()) as { devicesByUnitId: Record<string, { name: string }>; gas: { flowMcfd: number } };
    assert.equal(body.devicesByUnitId['11']!.name, 'genset1');
    assert.ok(body.gas.flowMcfd > 0);
    const health = await fetch(plant.truthUrl.replace('/truth', '/health'));
    assert.deepEqual(await health.json(), { status: 'ok' });
    assert.equal((await fetch(plant.truthUrl.replace('/truth', '/nope'))).status, 404);
  });

  it('rejects a taken port with a clear EADDRINUSE error naming the port', async () => {
    await assert.rejects(
      () => startPlant({ realtime: false, modbusPort: plant.modbusPort }),
      (err: Error & { code?: string }) =>
        err.code === 'EADDRINUSE' && err.message.includes(`Modbus port ${plant.modbusPort}`),
    );
    await assert.rejects(
      () => startPlant({ realtime: false, truthPort: plant.truthPort }),
      (err: Error & { code?: string }) => err.code === 'EADDRINUSE' && err.message.includes(String(plant.truthPort)),
    );
  });

  it('advances its own clock in real time, scaled by speedup', async () => {
    const live = await startPlant({ speedup: 100, startTime: 0, tickMs: 20 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const simMs = live.truth().simTimeMs;
    await live.stop();
    assert.ok(simMs >= 10_000 && simMs <= 60_000, `sim advanced ${simMs} ms in ~300 ms at ×100`);
  });
});
