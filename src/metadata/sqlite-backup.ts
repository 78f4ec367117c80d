import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { SETTING } from './schema.js';
import type { Db } from './sqlite-db.js';

/**
 * A consistent copy of the database as one self-contained file's bytes, through SQLite's
 * backup API (the copy is of one instant even while the connection keeps writing). The
 * copy is marked as snapshot `seq` being uploaded: it exists outside this machine only
 * once that is true, so a database restored from it knows its own snapshot is in the store.
 */
export async function backupDatabase(db: Db, dbPath: string, seq: number): Promise<Buffer> {
  const dir = dbPath === '' || dbPath === ':memory:' ? tmpdir() : dirname(dbPath);
  const tmp = join(dir, `.snapshot-${process.pid}-${seq}-${randomBytes(4).toString('hex')}.db`);
  try {
    await db.backup(tmp);
    const copy = new Database(tmp, { fileMustExist: true });
    try {
      // A scratch file read back at once: no need to sync it.
      copy.pragma('synchronous = OFF');
      // No -wal file to carry along: the bytes of the main file are the whole database.
      copy.pragma('journal_mode = DELETE');
      copy
        .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
        .run(SETTING.snapshotUploaded, String(seq));
    } finally {
      copy.close();
    }
    return await readFile(tmp);
  } finally {
    await Promise.all(['', '-wal', '-shm', '-journal'].map((s) => rm(tmp + s, { force: true })));
  }
}
