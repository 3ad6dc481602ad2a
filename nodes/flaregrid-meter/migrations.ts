// Config versions of flaregrid-meter (nodes/shared/migrate.ts): one step per version, oldest first.
import type { Migration } from '../shared/migrate';

export const METER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    note: 'readings carry the site: a meter saved before sites existed reads for site-1, the default site of flaregrid-balance',
    up: (config) => {
      if (typeof config.site !== 'string' || config.site.trim() === '') config.site = 'site-1';
    },
  },
];
