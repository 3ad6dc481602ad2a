// Config versions of flaregrid-dispatch (nodes/shared/migrate.ts): none yet, the node starts at version 0.
import type { Migration } from '../shared/migrate';

export const DISPATCH_MIGRATIONS: readonly Migration[] = [];
