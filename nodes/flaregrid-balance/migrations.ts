// Config versions of flaregrid-balance (nodes/shared/migrate.ts): one step per version, oldest first.
import type { Migration } from '../shared/migrate';

export const BALANCE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    note: "freshness counts from a reading's arrival; a meter clock off by more than 'Clock skew' (default 30 s) makes the balance suspect",
    up: (config) => {
      if (config.maxSkewS === undefined || config.maxSkewS === '') config.maxSkewS = 30;
    },
  },
];
