import assert from 'node:assert/strict';
import { startMinerFleet, type RunningFleet } from '../../../sim/miners';
import { braiinsLogin, command, raw4028, rest } from './raw-miner';

const T0 = Date.parse('2026-06-01T12:00:00Z');

describe('sim miners: the 4028 API and the vendor dialects', () => {
  let t = T0;
  let fleet: RunningFleet;
  const port = (id: string) => fleet.miner(id).apiPort;

  beforeEach(async () => {
    t = T0;
    fleet = await startMinerFleet({
      now: () => t,
      miners: [
        { id: 'bm', dialect: 'bmminer' },
        { id: 'lux', dialect: 'luxos', seed: 4 },
        { id: 'bos', dialect: 'braiins', seed: 9, credentials: { username: 'root', password: 'secret' } },
      ],
    });
  });

  afterEach(() => fleet.stop());

  it('answers one request per connection with JSON, a trailing NUL, then closes', async () => {
    const reply = await raw4028(port('bm'), '{"command":"version"}');
    assert.equal(reply.closed, true);
    assert.equal(reply.bytes.at(-1), 0);
    const body = JSON.parse(reply.bytes.subarray(0, -1).toString());
    assert.deepEqual(Object.keys(body), ['STATUS', 'VERSION', 'id']);
    assert.deepEqual(Object.keys(body.STATUS[0]), ['STATUS', 'When', 'Code', 'Msg', 'Description']);
    assert.equal(body.STATUS[0].Code, 22);
    assert.equal(body.STATUS[0].When, T0 / 1000);
    assert.equal(body.id, 1);
  });

  it('joins report commands with +: each section an array wrapping one reply, a bad part its own E status', async () => {
    const body = await command(port('bm'), 'summary+devs+summary++nonsense+restart');
    assert.deepEqual(Object.keys(body), ['summary', 'devs', 'nonsense', 'restart', 'id']);
    assert.equal(body.summary.length, 1);
    assert.equal(body.summary[0].STATUS[0].Code, 11);
    assert.equal(body.devs[0].DEVS.length, 3);
    assert.equal(body.nonsense[0].STATUS[0].Code, 14);
    assert.equal(body.restart[0].STATUS[0].Code, 45);
  });

  it('answers the error codes of api.c, and Invalid command without a Description', async () => {
    const invalid = await command(port('bm'), 'frobnicate');
    assert.deepEqual(invalid.STATUS[0], { STATUS: 'E', When: T0 / 1000, Code: 14, Msg: 'Invalid command' });
    assert.equal((await command(port('bm'), 'quit')).STATUS[0].Code, 45);
    const badJson = (await raw4028(port('bm'), '{"command":')).bytes.toString();
    assert.equal(JSON.parse(badJson.slice(0, -1)).STATUS[0].Code, 23);
    const missing = (await raw4028(port('bm'), '{"parameter":"0"}')).bytes.toString();
    assert.equal(JSON.parse(missing.slice(0, -1)).STATUS[0].Code, 24);
  });

  it('takes a request that arrives in pieces, and the plain-text cmd|param form', async () => {
    const text = (await raw4028(port('bm'), 'summary|')).bytes.toString();
    assert.match(text, /^STATUS=S,When=\d+,Code=11,Msg=Summary,Description=bmminer [\d.]+\|SUMMARY,Elapsed=/);
    assert.ok(text.endsWith('|\0'));
  });

  it('bmminer: GH/s with "GHS 5s" and chain rates as strings, stats in STATS[1]', async () => {
    const summary = (await command(port('bm'), 'summary')).SUMMARY[0];
    assert.equal(summary['GHS 5s'], '200000.00');
    assert.equal(summary['GHS av'], 200000);
    const stats = (await command(port('bm'), 'stats')).STATS;
    assert.equal(stats[0].Type, 'Antminer S21');
    assert.equal(stats[1].rate_unit, 'GH');
    assert.equal(stats[1].chain_rate1, '66666.67');
    assert.equal(stats[1].chain_acn3, 108);
    assert.equal(typeof stats[1].temp2_1, 'number');
  });

  it('LuxOS: one session at a time, expiring after a minute unused; writes need its id', async () => {
    const sid = (await command(port('lux'), 'logon')).SESSION[0].SessionID as string;
    assert.match(sid, /^[A-Za-z0-9]{8}$/);
    const refused = await command(port('lux'), 'logon');
    assert.deepEqual([refused.STATUS[0].STATUS, refused.STATUS[0].Code], ['E', 402]);
    assert.equal((await command(port('lux'), 'curtail', 'wrongsid,sleep')).STATUS[0].STATUS, 'E');
    assert.equal((await command(port('lux'), 'session')).SESSION[0].SessionID, sid);
    t += 61_000;
    assert.equal((await command(port('lux'), 'session')).SESSION[0].SessionID, '');
    const again = (await command(port('lux'), 'logon')).SESSION[0].SessionID as string;
    assert.equal((await command(port('lux'), 'logoff', again)).STATUS[0].STATUS, 'S');
    assert.equal((await command(port('lux'), 'logon')).STATUS[0].Code, 316);
  });

  it('LuxOS: curtail sleep drops to the sleep draw within 2 s; wakeup cold-starts; power reads it', async () => {
    const sid = (await command(port('lux'), 'logon')).SESSION[0].SessionID as string;
    const reply = await command(port('lux'), 'curtail', `${sid},sleep`);
    assert.deepEqual([reply.STATUS[0].Code, reply.CURTAIL[0].Action], [335, 'sleep mode']);
    t += 2000;
    assert.equal((await command(port('lux'), 'power')).POWER[0].Watts, 15);
    assert.equal((await command(port('lux'), 'events')).EVENTS[0].Code, 'SLEEP');
    assert.equal((await command(port('lux'), 'curtail', `${sid},wakeup`)).CURTAIL[0].Action, 'wake up');
    t += 120_000;
    assert.equal((await command(port('lux'), 'power')).POWER[0].Watts, 3500);
  });

  it('LuxOS: profiles carry watts; profileset by name or by a W selector steps the power', async () => {
    const profiles = (await command(port('lux'), 'profiles')).PROFILES as { 'Profile Name': string; Watts: number }[];
    assert.equal(profiles.length, 22);
    assert.deepEqual([profiles[0]!.Watts, profiles.at(-1)!.Watts, profiles.at(-1)!['Profile Name']], [1400, 3500, 'default']);
    const sid = (await command(port('lux'), 'logon')).SESSION[0].SessionID as string;
    const set = await command(port('lux'), 'profileset', `${sid},2450W`);
    assert.equal(set.STATUS[0].Code, 321);
    assert.equal(set.PROFILE[0].Profile, profiles.find((p) => p.Watts === 2400)!['Profile Name']);
    t += 30_000;
    assert.equal((await command(port('lux'), 'power')).POWER[0].Watts, 2400);
    assert.equal((await command(port('lux'), 'config')).CONFIG[0].Profile, set.PROFILE[0].Profile);
    assert.equal((await command(port('lux'), 'profileset', `${sid},900W`)).STATUS[0].STATUS, 'E');
  });

  it('Braiins REST: login for a token, 401 without one, the power target applied live, pause and resume', async () => {
    assert.equal((await rest(fleet.miner('bos').restPort, 'GET', 'version')).status, 200);
    assert.equal((await rest(fleet.miner('bos').restPort, 'GET', 'miner/stats')).status, 401);
    assert.equal((await rest(fleet.miner('bos').restPort, 'POST', 'auth/login', { body: { username: 'root', password: 'root' } })).status, 401);
    const rp = fleet.miner('bos').restPort;
    const token = await braiinsLogin(rp, 'root', 'secret');
    const limits = (await rest(rp, 'GET', 'configuration/constraints', { token })).body.tuner_constraints.power_target;
    assert.deepEqual([limits.min.watt, limits.max.watt], [1400, 3500]);
    const set = await rest(rp, 'PUT', 'performance/power-target', { token, body: { watt: 2000 } });
    assert.deepEqual(set, { status: 200, body: { power_target: { watt: 2000 } } });
    assert.equal((await rest(rp, 'PUT', 'performance/power-target', { token, body: { watt: 500 } })).status, 400);
    t += 30_000;
    assert.equal((await rest(rp, 'GET', 'miner/stats', { token })).body.power_stats.approximated_consumption.watt, 2000);
    assert.deepEqual((await rest(rp, 'PUT', 'actions/pause', { token })).body, { already_paused: false });
    t += 2000;
    assert.equal((await rest(rp, 'GET', 'miner/details', { token })).body.status, 3);
    assert.deepEqual((await rest(rp, 'PUT', 'actions/resume', { token })).body, { already_mining: false });
    t += 3601_000;
    assert.equal((await rest(rp, 'GET', 'miner/details', { token })).status, 401, 'the token expired after an hour unused');
  });

  it('BOSminer 4028: MH/s, tunerstatus with the power limit', async () => {
    assert.equal((await command(port('bos'), 'summary')).SUMMARY[0]['MHS 5s'], 200_000_000);
    assert.equal((await command(port('bos'), 'tunerstatus')).TUNERSTATUS[0].PowerLimit, 3500);
  });
});

describe('sim miners: faults a test can switch on', () => {
  let t = T0;
  let fleet: RunningFleet;

  beforeEach(async () => {
    t = T0;
    fleet = await startMinerFleet({ now: () => t, miners: [{ id: 'lux', dialect: 'luxos' }, { id: 'bos', dialect: 'braiins' }] });
  });

  afterEach(() => fleet.stop());

  it('stall accepts and never answers; drop closes without a byte; garbage is not JSON', async () => {
    const lux = fleet.miner('lux');
    await lux.setFault('stall', true);
    assert.deepEqual(await raw4028(lux.apiPort, '{"command":"summary"}', 300), { bytes: Buffer.alloc(0), closed: false });
    await lux.setFault('stall', false);
    await lux.setFault('drop', true);
    assert.deepEqual(await raw4028(lux.apiPort, '{"command":"summary"}'), { bytes: Buffer.alloc(0), closed: true });
    await lux.setFault('drop', false);
    await lux.setFault('garbage', true);
    const garbage = (await raw4028(lux.apiPort, '{"command":"summary"}')).bytes.toString('latin1');
    assert.throws(() => JSON.parse(garbage.replace(/\0/g, '')));
  });

  it('truncate cuts the reply in half; split sends it in pieces that reassemble', async () => {
    const lux = fleet.miner('lux');
    const whole = (await raw4028(lux.apiPort, '{"command":"stats"}')).bytes;
    await lux.setFault('truncate', true);
    const cut = await raw4028(lux.apiPort, '{"command":"stats"}');
    assert.equal(cut.closed, true);
    assert.equal(cut.bytes.length, Math.floor(whole.length / 2));
    await lux.setFault('truncate', false);
    await lux.setFault('split', true);
    assert.deepEqual((await raw4028(lux.apiPort, '{"command":"stats"}')).bytes, whole);
  });

  it('not-ready answers every command with E "Not ready" (and 503 on REST)', async () => {
    await fleet.miner('lux').setFault('not-ready', true);
    assert.deepEqual(
      (await command(fleet.miner('lux').apiPort, 'summary')).STATUS[0].Msg,
      'Not ready',
    );
    const token = await braiinsLogin(fleet.miner('bos').restPort);
    await fleet.miner('bos').setFault('not-ready', true);
    assert.equal((await rest(fleet.miner('bos').restPort, 'GET', 'miner/stats', { token })).status, 503);
  });

  it('offline refuses connections and comes back on the same port', async () => {
    const lux = fleet.miner('lux');
    const before = lux.apiPort;
    await lux.setFault('offline', true);
    await assert.rejects(raw4028(before, '{"command":"summary"}'), { code: 'ECONNREFUSED' });
    await lux.setFault('offline', false);
    assert.equal(lux.apiPort, before);
    assert.equal((await command(before, 'summary')).STATUS[0].STATUS, 'S');
  });

  it('a hashboard error shows as a dead board, and a target below the floor can be silently ignored', async () => {
    const bos = fleet.miner('bos');
    await bos.setFault('hashboard', true);
    const token = await braiinsLogin(bos.restPort);
    const boards = (await rest(bos.restPort, 'GET', 'miner/hw/hashboards', { token })).body.hashboards;
    assert.deepEqual(boards.map((b: { chips_count: number }) => b.chips_count), [108, 108, 0]);
    assert.equal((await rest(bos.restPort, 'GET', 'miner/errors', { token })).body.errors.length, 1);
    await bos.setFault('ignore-below-floor', true);
    assert.deepEqual(await rest(bos.restPort, 'PUT', 'performance/power-target', { token, body: { watt: 700 } }), {
      status: 200,
      body: { power_target: { watt: 700 } },
    });
    t += 60_000;
    assert.equal(bos.read().powerLimitW, 3500);
    assert.throws(() => fleet.miner('nope'), { code: 'ERR_MINER' });
  });
});
