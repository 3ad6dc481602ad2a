// Config versions of flaregrid-miner (nodes/shared/migrate.ts): none yet, the node starts at version 0.
import type { Migration } from '../shared/migrate';

export const MINER_MIGRATIONS: readonly Migration[] = [];
