// Config versions of flaregrid-pay-stream (nodes/shared/migrate.ts): none yet.
import type { Migration } from '../shared/migrate';

export const PAY_STREAM_MIGRATIONS: readonly Migration[] = [];
