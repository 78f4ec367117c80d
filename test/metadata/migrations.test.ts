import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { MetadataError } from '../../src/metadata/errors.js';
import { migrate, schemaVersion, SCHEMA_VERSION } from '../../src/metadata/migrations.js';
import { MIGRATIONS } from '../../src/metadata/schema.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('chunkfs-migr');

const tables = (db: Database.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

test('an empty database gets every migration and user_version = their count', () => {
  const db = new Database(join(dir, 'a.db'));
  try {
    assert.equal(migrate(db).length, SCHEMA_VERSION);
    assert.equal(schemaVersion(db), SCHEMA_VERSION);
    assert.deepEqual(tables(db), ['chunks', 'dentries', 'inodes', 'objects', 'pending_deletes', 'settings', 'symlinks', 'xattrs']);
    assert.deepEqual(migrate(db), [], 'a second run applies nothing');
    MIGRATIONS.forEach((m, i) => assert.equal(m.version, i + 1));
  } finally {
    db.close();
  }
});

test('pending migrations apply in order; a failing one rolls back the whole run', () => {
  const db = new Database(join(dir, 'b.db'));
  try {
    migrate(db);
    const extra = [
      ...MIGRATIONS,
      { version: SCHEMA_VERSION + 1, description: 'one', sql: 'CREATE TABLE t1 (x)' },
      { version: SCHEMA_VERSION + 2, description: 'two', sql: 'INSERT INTO t1 VALUES (1)' },
      { version: SCHEMA_VERSION + 3, description: 'broken', sql: 'INSERT INTO nowhere VALUES (1)' },
    ];
    assert.throws(() => migrate(db, extra), /no such table: nowhere/);
    assert.equal(schemaVersion(db), SCHEMA_VERSION);
    assert.ok(!tables(db).includes('t1'));
    assert.equal(migrate(db, extra.slice(0, -1)).length, 2);
    assert.equal(schemaVersion(db), SCHEMA_VERSION + 2);
    assert.deepEqual(db.prepare('SELECT x FROM t1').all(), [{ x: 1 }]);
  } finally {
    db.close();
  }
});

test('a database of a newer schema is refused', () => {
  const db = new Database(join(dir, 'c.db'));
  try {
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    assert.throws(() => migrate(db), (err: unknown) => err instanceof MetadataError && /newer/.test(err.message));
  } finally {
    db.close();
  }
});
