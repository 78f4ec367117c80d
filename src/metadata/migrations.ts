import type Database from 'better-sqlite3';
import { MetadataError } from './errors.js';
import { MIGRATIONS, type Migration } from './schema.js';

/** Number of migrations this code knows: the schema version it writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The database's schema version (`PRAGMA user_version`, 0 for an empty database). */
export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the schema up to date: every migration not yet applied, in order, in ONE
 * transaction together with the new `user_version`, so a crash leaves the old schema or
 * the new one. A database of a newer schema is refused (this code would misread it).
 * Returns the migrations applied.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): Migration[] {
  const current = schemaVersion(db);
  const latest = migrations.length;
  if (current > latest) {
    throw new MetadataError(`metadata database has schema version ${current}, newer than this chunkfs knows (${latest}); upgrade chunkfs`);
  }
  const pending = migrations.slice(current);
  if (pending.length === 0) return [];
  db.transaction(() => {
    for (const m of pending) db.exec(m.sql);
    // user_version lives in the database header, which the transaction covers.
    db.pragma(`user_version = ${latest}`);
  })();
  return pending;
}
