// What `npm run test:interop` needs from Debian, in one place: each need names its Debian packages and a probe
// that succeeds once they are installed. A suite against another piece of Debian software adds its need here,
// and the preflight (preflight.ts) checks it before any test runs.
import { spawnSync } from 'node:child_process';

/** Debian's own interpreter: its python3-pymodbus is not importable from a pyenv python3 earlier on PATH. */
export const DEBIAN_PYTHON = '/usr/bin/python3';
/** Debian installs the broker in /usr/sbin, which is not on every user's PATH. */
export const DEBIAN_MOSQUITTO = '/usr/sbin/mosquitto';

export interface InteropNeed {
  /** Debian packages, in the order apt-get is told them */
  packages: readonly string[];
  /** a command that runs only when the packages are installed */
  probe: readonly [string, ...string[]];
  /** exit statuses of the probe that mean "installed"; `mosquitto -h` prints its usage and exits 3 */
  okStatuses: readonly number[];
}

export const INTEROP_NEEDS: readonly InteropNeed[] = [
  // pymodbus, an independent Modbus implementation; it imports the serial modules even for TCP.
  {
    packages: ['python3-pymodbus', 'python3-serial', 'python3-serial-asyncio'],
    probe: [DEBIAN_PYTHON, '-c', 'import pymodbus'],
    okStatuses: [0],
  },
  // Mosquitto, an independent MQTT broker.
  { packages: ['mosquitto'], probe: [DEBIAN_MOSQUITTO, '-h'], okStatuses: [0, 3] },
];

export type Probe = (command: string, args: readonly string[]) => number | null;

const runProbe: Probe = (command, args) => {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 20_000 });
  return result.error ? null : result.status;
};

/**
 * The one line that tells what to install, or undefined when every need is met.
 * @param probe runs a command and gives its exit status, null when it could not run
 */
export function missingNeedsLine(needs: readonly InteropNeed[] = INTEROP_NEEDS, probe: Probe = runProbe): string | undefined {
  const missing = needs.filter((need) => {
    const status = probe(need.probe[0], need.probe.slice(1));
    return status === null || !need.okStatuses.includes(status);
  });
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.flatMap((need) => need.packages))];
  return `test:interop needs Debian packages: apt-get install -y ${packages.join(' ')}`;
}
