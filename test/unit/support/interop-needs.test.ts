// The interop preflight's verdict, with the probe faked: one line naming every missing package, or nothing.
import assert from 'node:assert/strict';
import { INTEROP_NEEDS, missingNeedsLine, type InteropNeed, type Probe } from '../../interop/needs';

const NEEDS: InteropNeed[] = [
  { packages: ['python3-pymodbus', 'python3-serial'], probe: ['python-probe', '-c', 'import pymodbus'], okStatuses: [0] },
  { packages: ['mosquitto'], probe: ['broker-probe', '-h'], okStatuses: [0, 3] },
];

/** A probe that answers from a table of exit statuses by command; absent means "could not run". */
function probeOf(statuses: Record<string, number>): Probe {
  return (command) => statuses[command] ?? null;
}

describe('the interop preflight', () => {
  it('says nothing when every probe exits with a status that means installed', () => {
    assert.equal(missingNeedsLine(NEEDS, probeOf({ 'python-probe': 0, 'broker-probe': 3 })), undefined);
  });

  it('names the apt-get command for what is missing, in one line', () => {
    const line = missingNeedsLine(NEEDS, probeOf({ 'python-probe': 1, 'broker-probe': 3 }));
    assert.equal(line, 'test:interop needs Debian packages: apt-get install -y python3-pymodbus python3-serial');
  });

  it('counts a probe that cannot run as missing, and lists each package once', () => {
    const twice = [...NEEDS, { packages: ['python3-serial'], probe: ['/nowhere'] as [string], okStatuses: [0] }];
    const line = missingNeedsLine(twice, probeOf({}));
    assert.equal(line, 'test:interop needs Debian packages: apt-get install -y python3-pymodbus python3-serial mosquitto');
  });

  it('asks for pymodbus (with the serial modules it imports) and Mosquitto', () => {
    assert.deepEqual(INTEROP_NEEDS.flatMap((n) => n.packages), ['python3-pymodbus', 'python3-serial', 'python3-serial-asyncio', 'mosquitto']);
  });
});
