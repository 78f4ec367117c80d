import { rmSync } from 'node:fs';
import { MetadataError } from './errors.js';
import { migrate } from './migrations.js';
import { SETTING } from './schema.js';
import { openDb } from './sqlite-db.js';
import { ROOT_INO, type Superblock } from './types.js';

export interface CreateOptions {
  /** Owner of the root directory (default: the current process's uid/gid). */
  uid?: number;
  gid?: number;
  nowMs?: number;
}

/**
 * Creates a fresh metadata database at `dbPath` (replacing any file there) for the
 * filesystem `superblock` describes: the schema, the filesystem's identity, and the root
 * directory (ino 1, perm 0755, nlink 2).
 */
export function createFilesystemDb(dbPath: string, superblock: Superblock, opts: CreateOptions = {}): void {
  if (dbPath === '' || dbPath === ':memory:') throw new MetadataError('the metadata database must be a file');
  for (const s of ['', '-wal', '-shm', '-journal']) rmSync(dbPath + s, { force: true });
  const db = openDb(dbPath, { mustExist: false });
  try {
    migrate(db);
    const now = opts.nowMs ?? Date.now();
    const uid = opts.uid ?? process.getuid?.() ?? 0;
    const gid = opts.gid ?? process.getgid?.() ?? 0;
    db.transaction(() => {
      db.prepare(
        "INSERT INTO inodes (ino, kind, perm, uid, gid, nlink, size, atime_ms, mtime_ms, ctime_ms, rdev) VALUES (?, 'dir', ?, ?, ?, 2, 4096, ?, ?, ?, 0)",
      ).run(ROOT_INO, 0o755, uid, gid, now, now, now);
      const put = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
      put.run(SETTING.uuid, superblock.uuid);
      put.run(SETTING.chunkSize, String(superblock.chunkSize));
      put.run(SETTING.formatVersion, String(superblock.formatVersion));
      put.run(SETTING.snapshotSeq, '0');
      put.run(SETTING.snapshotUploaded, '0');
      put.run(SETTING.changed, '1');
    })();
  } finally {
    db.close();
  }
}
