// Versioned node config. Each flaregrid node lists its migrations, one per config version; the runtime brings a
// node saved by an older release forward before reading it, so deployed flows keep working after an upgrade
// (the pattern of node-red-contrib-home-assistant-websocket). A node saved before versions existed is version 0.
// The edit dialog stores the current version in `configVersion` when the node is saved.

export interface Migration {
  /** the version this step produces */
  version: number;
  /** Changes the config of version - 1 in place into this version. */
  up(config: Record<string, unknown>): void;
  /** what changed, for the release notes and the log */
  note: string;
}

export class MigrationError extends Error {
  readonly code = 'CONFIG_MIGRATION';
  override name = 'MigrationError';
}

/** The version a node's config has after every migration: the last step's, or 0 without steps. */
export function currentVersion(migrations: readonly Migration[]): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1].version;
}

/**
 * A copy of `config` at the current version. @throws MigrationError for a config saved by a newer release (it
 * may mean something this release cannot know) or a malformed version.
 */
export function migrateConfig<C extends object>(config: C, migrations: readonly Migration[]): C & { configVersion: number } {
  const latest = currentVersion(migrations);
  const raw = (config as { configVersion?: unknown }).configVersion;
  const from = raw === undefined || raw === '' ? 0 : Number(raw);
  if (!Number.isInteger(from) || from < 0) throw new MigrationError(`configVersion must be a whole number of 0 or more, got '${String(raw)}'`);
  if (from > latest) {
    throw new MigrationError(`this node was saved by a newer release (config version ${from}; this release knows up to ${latest}): update the package`);
  }
  const migrated = { ...config } as Record<string, unknown>;
  for (const step of migrations) if (step.version > from) step.up(migrated);
  migrated.configVersion = latest;
  return migrated as C & { configVersion: number };
}
