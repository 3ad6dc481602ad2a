// Builds the test flows that wire flaregrid-meter to node-red-contrib-modbus's real client and flex-getter, so
// every meter test reads registers over TCP exactly as a deployed flow does.

export interface MeterUnderTest {
  id: string;
  /** default well-7 */
  site?: string;
  meterId: string;
  role: string;
  profile: string;
  unitId: number;
  customProfile?: string;
  pollIntervalS?: number;
  staleAfterS?: number;
  invert?: boolean;
}

export function modbusClientNode(id: string, port: number): Record<string, unknown> {
  return {
    id,
    type: 'modbus-client',
    name: 'simulator gateway',
    clienttype: 'tcp',
    bufferCommands: true,
    stateLogEnabled: false,
    queueLogEnabled: false,
    failureLogEnabled: false,
    tcpHost: '127.0.0.1',
    tcpPort: String(port),
    tcpType: 'DEFAULT',
    unit_id: '1',
    commandDelay: '1',
    clientTimeout: '500',
    reconnectOnTimeout: true,
    reconnectTimeout: '300',
    parallelUnitIdsAllowed: true,
  };
}

/** The topic of a meter's readings and requests (lib/topics.ts, default prefix). */
export function meterTopic(meterId: string, site = 'well-7'): string {
  return `flaregrid/${site}/meters/${meterId}`;
}

/** A meter, its flex-getter, and a helper node `<id>-out` that receives the meter's readings. */
export function meterWithGetter(meter: MeterUnderTest, clientId: string): Record<string, unknown>[] {
  const getterId = `${meter.id}-getter`;
  return [
    {
      id: meter.id,
      type: 'flaregrid-meter',
      name: meter.meterId,
      configVersion: 1,
      site: meter.site ?? 'well-7',
      meterId: meter.meterId,
      role: meter.role,
      profile: meter.profile,
      customProfile: meter.customProfile ?? '',
      unitId: meter.unitId,
      pollIntervalS: meter.pollIntervalS ?? 0.2,
      staleAfterS: meter.staleAfterS ?? 1,
      invert: meter.invert ?? false,
      maxRegistersPerRead: 125,
      wires: [[`${meter.id}-out`], [getterId]],
    },
    {
      id: getterId,
      type: 'modbus-flex-getter',
      name: '',
      showStatusActivities: false,
      showErrors: false,
      showWarnings: false,
      logIOActivities: false,
      server: clientId,
      useIOFile: false,
      ioFile: '',
      useIOForPayload: false,
      emptyMsgOnFail: true,
      keepMsgProperties: false,
      delayOnStart: false,
      startDelayTime: '',
      wires: [[meter.id], []],
    },
    { id: `${meter.id}-out`, type: 'helper' },
  ];
}
