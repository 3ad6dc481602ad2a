// The profiles shipped with FlareGrid. They are imported (not read from disk) so the compiler copies them
// into dist/ and a packaging slip cannot leave the node without its profiles; each is validated on load.

import eastronSdm630 from './profiles/eastron-sdm630.json';
import flaregridBm1 from './profiles/flaregrid-bm1.json';
import flaregridGc1 from './profiles/flaregrid-gc1.json';
import flaregridPm1 from './profiles/flaregrid-pm1.json';
import sunspecMeter from './profiles/sunspec-meter.json';
import type { MeterProfile } from './types';
import { validateProfile } from './validate';

const BUILTIN_JSON: readonly unknown[] = [flaregridGc1, flaregridPm1, flaregridBm1, sunspecMeter, eastronSdm630];

let builtins: readonly MeterProfile[] | undefined;

/** Every built-in profile, validated; the same objects on every call (compiled decoders cache by them). */
export function loadBuiltinProfiles(): readonly MeterProfile[] {
  builtins ??= Object.freeze(BUILTIN_JSON.map((json) => Object.freeze(validateProfile(structuredClone(json)))));
  return builtins;
}

/** the name the flaregrid-meter node imports */
export { loadBuiltinProfiles as builtinProfiles };
export { parseCustomProfile, validateProfile } from './validate';
