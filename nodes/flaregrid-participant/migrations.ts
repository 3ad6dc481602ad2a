// Config versions of flaregrid-participant (nodes/shared/migrate.ts): one step per version, oldest first.
import type { Migration } from '../shared/migrate';

export const PARTICIPANT_MIGRATIONS: readonly Migration[] = [];
