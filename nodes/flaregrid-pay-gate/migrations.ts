// Config versions of flaregrid-pay-gate (nodes/shared/migrate.ts): none yet.
import type { Migration } from '../shared/migrate';

export const PAY_GATE_MIGRATIONS: readonly Migration[] = [];
