// Config versions of flaregrid-offer (nodes/shared/migrate.ts): one step per version, oldest first.
import type { Migration } from '../shared/migrate';

export const OFFER_MIGRATIONS: readonly Migration[] = [];
