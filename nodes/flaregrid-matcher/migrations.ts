// Config versions of flaregrid-matcher (nodes/shared/migrate.ts): one step per version, oldest first.
import type { Migration } from '../shared/migrate';

export const MATCHER_MIGRATIONS: readonly Migration[] = [];
