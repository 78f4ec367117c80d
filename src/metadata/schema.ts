/**
 * The SQLite schema, as the list of migrations that build it (applied in order by
 * `migrations.ts`; the database's `user_version` is the number of migrations applied).
 * A released migration is never edited: a change is a new migration at the end.
 *
 * Times are milliseconds since the epoch, not nanoseconds: fuse-native passes and takes
 * times in ms, so finer resolution could not be observed or set.
 *
 * There are no FOREIGN KEY clauses (they cost a lookup per write and SQLite checks them
 * only when enabled); every operation in `sqlite.ts` keeps the tables consistent itself,
 * and fsck checks it:
 * - every dentry's ino and parent are rows of `inodes`; a parent is a directory;
 * - an inode's nlink counts its dentries (a directory: 2 + its subdirectories);
 * - every chunk row's object has an `objects` row whose `refs` counts the chunk rows naming it;
 * - an object whose refs reach 0 leaves `objects` and enters `pending_deletes`.
 */

export interface Migration {
  /** 1-based; equals `user_version` once applied. */
  version: number;
  description: string;
  sql: string;
}

const V1 = `
-- One row per inode. kind: file|dir|symlink|fifo|chr|blk|sock. perm: permission bits
-- only (the type bits follow from kind). AUTOINCREMENT: an inode number is never reused,
-- so the kernel's cached inode numbers can never name a different file.
CREATE TABLE inodes (
  ino      INTEGER PRIMARY KEY AUTOINCREMENT,
  kind     TEXT    NOT NULL,
  perm     INTEGER NOT NULL,
  uid      INTEGER NOT NULL,
  gid      INTEGER NOT NULL,
  nlink    INTEGER NOT NULL,
  size     INTEGER NOT NULL DEFAULT 0,
  atime_ms INTEGER NOT NULL,
  mtime_ms INTEGER NOT NULL,
  ctime_ms INTEGER NOT NULL,
  rdev     INTEGER NOT NULL DEFAULT 0
);
-- Orphans (nlink 0, left by a crash while open) are found without a scan.
CREATE INDEX inodes_orphans ON inodes(ino) WHERE nlink = 0;

-- Directory entries. name is a BLOB: POSIX names are bytes, and BLOBs compare with
-- memcmp, which gives readdir its byte order.
CREATE TABLE dentries (
  parent INTEGER NOT NULL,
  name   BLOB    NOT NULL,
  ino    INTEGER NOT NULL,
  PRIMARY KEY (parent, name)
) WITHOUT ROWID;
-- The name(s) of an inode: a directory's parent (subtree checks), fsck's link counts.
CREATE INDEX dentries_ino ON dentries(ino);

-- The chunk map: chunk idx of inode ino is object object_id (len bytes, xxh64 as 16 hex digits).
-- A missing row is a hole (reads as zeros).
CREATE TABLE chunks (
  ino       INTEGER NOT NULL,
  idx       INTEGER NOT NULL,
  object_id TEXT    NOT NULL,
  len       INTEGER NOT NULL,
  xxh64     TEXT    NOT NULL,
  PRIMARY KEY (ino, idx)
) WITHOUT ROWID;
CREATE INDEX chunks_object ON chunks(object_id);

-- Live objects in the store. refs counts the chunk rows naming the object (more than one
-- allows cheap copies later).
CREATE TABLE objects (
  id   TEXT    PRIMARY KEY,
  size INTEGER NOT NULL,
  refs INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE symlinks (
  ino    INTEGER PRIMARY KEY,
  target BLOB    NOT NULL
);

CREATE TABLE xattrs (
  ino   INTEGER NOT NULL,
  name  TEXT    NOT NULL,
  value BLOB    NOT NULL,
  PRIMARY KEY (ino, name)
) WITHOUT ROWID;

-- Retired objects, deleted from the store once snapshot not_before (or a later one) is
-- uploaded: that snapshot was taken after the retirement, so it does not reference them.
CREATE TABLE pending_deletes (
  object_id  TEXT    PRIMARY KEY,
  size       INTEGER NOT NULL,
  not_before INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX pending_deletes_due ON pending_deletes(not_before);

-- Small key/value bookkeeping: the filesystem's identity, snapshot sequence numbers, other
-- layers' settings.
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
`;

/** Every migration, in order. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'initial schema', sql: V1 },
];

/** Keys of the `settings` rows this layer owns. */
export const SETTING = {
  uuid: 'fs.uuid',
  chunkSize: 'fs.chunk_size',
  formatVersion: 'fs.format_version',
  /** Sequence of the latest snapshot taken (0: none). */
  snapshotSeq: 'snapshot.seq',
  /** Sequence of the latest snapshot known to be in the store (0: none). */
  snapshotUploaded: 'snapshot.uploaded',
  /** '1' once anything changed after the latest snapshot was taken. */
  changed: 'snapshot.changed',
  /** Count of `sync()` calls: each one must change a row, or SQLite would write no commit. */
  syncs: 'sync.count',
} as const;
