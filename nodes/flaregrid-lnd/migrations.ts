// Config versions of flaregrid-lnd (nodes/shared/migrate.ts): none yet.
import type { Migration } from '../shared/migrate';

export const LND_MIGRATIONS: readonly Migration[] = [];
