// Ground truth: the simulator's true values, for tests and scoring only (never a data source for FlareGrid).
import { createServer, Server } from 'node:http';
import { FEEDER_PHASE_VOLTAGE_V } from './constants';
import { countToJson, wrapCount } from './counter';
import { listenFace } from '../listen';
import { PlantPhysics } from './physics';

/** How a device is reached (its unit id and register map): the truth lists each device under both keys. */
export interface DeviceListing {
  unitId: number;
  name: string;
  role: 'bus' | 'miner' | 'genset' | 'prosumer';
  map: string;
}

export type TruthDevice = Record<string, unknown> & DeviceListing;

export interface Truth {
  simTime: string;
  simTimeMs: number;
  seed: number;
  gas: Record<string, unknown>;
  bus: Record<string, unknown>;
  devicesByName: Record<string, TruthDevice>;
  devicesByUnitId: Record<string, TruthDevice>;
}

export function buildTruth(physics: PlantPhysics, devices: readonly DeviceListing[], seed: number): Truth {
  const { gas, ledger, bus } = physics;
  const devicesByName: Record<string, TruthDevice> = {};
  const devicesByUnitId: Record<string, TruthDevice> = {};
  for (const device of devices) {
    const entry = { ...device, ...deviceValues(physics, device) };
    devicesByName[device.name] = entry;
    devicesByUnitId[String(device.unitId)] = entry;
  }
  return {
    simTime: new Date(physics.nowMs).toISOString(),
    simTimeMs: physics.nowMs,
    seed,
    gas: {
      flowMcfd: gas.flowMcfd,
      intakeFlowMcfd: gas.intakeFlowMcfd,
      meanFlowMcfd: gas.meanFlowMcfd,
      heatingValueBtuPerScf: gas.heatingValueBtuPerScf,
      fuelPowerW: gas.fuelPowerW(),
      activeEvents: gas.activeEvents(physics.nowMs),
      suppliedScf: ledger.suppliedScf,
      burnedScf: ledger.burnedScf,
      flaredScf: ledger.flaredScf,
      co2eEmittedKg: ledger.emittedKg,
      co2eAvoidedKg: ledger.avoidedKg,
    },
    bus: {
      voltageV: bus.voltageV,
      demandW: bus.demandW,
      servedFraction: bus.servedFraction,
      generationW: bus.generationW,
      prosumerExportW: bus.prosumerExportW,
      availableW: bus.availableW,
      onlineRatingW: bus.onlineRatingW,
      auxW: bus.auxW,
      minerW: bus.minerW,
      excursionCount: bus.excursionCount,
      outOfBandSeconds: bus.outOfBandMs / 1000,
      outOfNormalBandSeconds: bus.outOfNormalBandMs / 1000,
    },
    devicesByName,
    devicesByUnitId,
  };
}

function deviceValues(physics: PlantPhysics, device: DeviceListing): Record<string, unknown> {
  const voltageV = physics.bus.voltageV;
  const { name, role } = device;
  if (role === 'genset') {
    const g = physics.gensets.find((x) => x.name === name)!;
    return {
      powerW: g.outputW,
      voltageV: g.online ? voltageV : 0,
      currentA: g.online && voltageV > 0 ? g.outputW / voltageV : 0,
      runState: g.state,
      alarms: g.alarms,
      availablePowerW: g.availableW,
      ratedPowerW: g.ratedPowerW,
      setpointW: g.setpointW,
      fuelScfm: g.fuelScfPerMin,
      loadPercent: (g.outputW / g.ratedPowerW) * 100,
      energyForwardWh: countToJson(wrapCount(g.energyForward.wh, 32)),
      energyForwardExactWh: g.energyForward.exactWh,
      tripCount: g.tripCount,
      belowSoftMinSeconds: g.belowSoftMinMs / 1000,
      belowHardMinSeconds: g.belowHardMinTotalMs / 1000,
    };
  }
  const meter =
    role === 'bus'
      ? physics.busMeter
      : role === 'miner'
        ? physics.minerFeeder
        : physics.prosumerMeters[Number(name.replace('prosumer', '')) - 1]!;
  // Counters as the register presents them: acc32 wraps at 2^32, u64 at 2^64, SDM630 floats carry kWh.
  const bits = role === 'prosumer' ? 64 : 32;
  const values: Record<string, unknown> = {
    powerW: meter.powerW,
    voltageV,
    currentA: voltageV > 0 ? meter.powerW / voltageV : 0,
    energyForwardWh: countToJson(wrapCount(meter.forward.wh, bits)),
    energyReverseWh: countToJson(wrapCount(meter.reverse.wh, bits)),
    energyForwardExactWh: meter.forward.exactWh,
    energyReverseExactWh: meter.reverse.exactWh,
    counterResetSincePowerUp: meter.resetSincePowerUp,
  };
  if (role === 'miner') {
    values.slotsW = physics.miners.snapshot();
    values.slotMaxW = physics.miners.slotMaxW;
    values.acPhaseVoltageV = voltageV > 0 ? FEEDER_PHASE_VOLTAGE_V : 0;
  }
  if (role === 'prosumer') {
    const p = physics.prosumers[Number(name.replace('prosumer', '')) - 1]!;
    values.profile = p.profile.name;
    values.loadW = p.loadW;
    values.generationW = p.generationW;
    values.supplyClosed = p.supplyClosed;
  }
  return values;
}

/** GET /truth (JSON) and GET /health on `host`; everything else is 404, every other method 405. */
export async function startTruthServer(host: string, port: number, truth: () => Truth): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (path === '/truth' || path === '/health') {
      const body = path === '/truth' ? truth() : { status: 'ok' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
  });
  await listenFace(server, 'Ground-truth HTTP', host, port);
  return server;
}
