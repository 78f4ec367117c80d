import { ChunkRefCache } from './chunk-ref-cache.js';
import { existsSync } from 'node:fs';
import { fsError } from '../errors.js';
import { MetadataError } from './errors.js';
import { isObjectId } from './layout.js';
import { migrate } from './migrations.js';
import { checkName, isDotName } from './names.js';
import { SETTING } from './schema.js';
import { attrAt, INODE_COLUMNS, openDb, Statements, toAttr, type Db, type InodeRow, type Synchronous } from './sqlite-db.js';
import { Nodes } from './sqlite-nodes.js';
import { ObjectBook } from './sqlite-objects.js';
import { backupDatabase } from './sqlite-backup.js';
import { renameEntry } from './sqlite-rename.js';
import {
  NAME_MAX, ROOT_INO,
  type Attr, type AttrChanges, type ChunkRef, type ChunkUpdate, type DirEntry, type FsStats, type Metadata, type NewNode,
  type PendingDelete, type RenameFlags, type Superblock,
} from './types.js';

export interface OpenOptions {
  /** Durability of each commit (default `full`); see `Synchronous`. */
  synchronous?: Synchronous;
}

/** A page of a directory, in name order: each entry's name, then its inode's INODE_COLUMNS. */
const READDIR_SQL = `SELECT d.name, ${INODE_COLUMNS.replace(/\w+/g, 'i.$&')} FROM dentries d JOIN inodes i ON i.ino = d.ino
  WHERE d.parent = ? AND d.name > ? ORDER BY d.name LIMIT ?`;

/** Linux's limits on extended attributes (XATTR_NAME_MAX, XATTR_SIZE_MAX). */
const XATTR_NAME_MAX = 255;
const XATTR_SIZE_MAX = 65536;
/** Linux's PATH_MAX, counting the terminating NUL. */
const PATH_MAX = 4096;
/** st_size of a directory, as ext4 reports an empty one. */
const DIR_SIZE = 4096;

/**
 * Opens the metadata database of the filesystem `superblock` describes (created by
 * `createFilesystemDb` or restored from a snapshot) and brings its schema up to date.
 * Throws `MetadataError` when the file is missing or belongs to another filesystem.
 */
export function openMetadata(dbPath: string, superblock: Superblock, opts: OpenOptions = {}): SqliteMetadata {
  if (!existsSync(dbPath)) throw new MetadataError(`metadata database missing: ${dbPath}`);
  const db = openDb(dbPath, { mustExist: true, synchronous: opts.synchronous });
  try {
    migrate(db);
    checkIdentity(db, superblock, dbPath);
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqliteMetadata(db, dbPath, superblock, opts.synchronous ?? 'full');
}

function checkIdentity(db: Db, sb: Superblock, dbPath: string): void {
  const get = (key: string) => (db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  const uuid = get(SETTING.uuid);
  if (uuid !== sb.uuid) {
    throw new MetadataError(`metadata database ${dbPath} belongs to filesystem ${uuid ?? '(none)'}, not ${sb.uuid}`);
  }
  const chunkSize = Number(get(SETTING.chunkSize));
  if (chunkSize !== sb.chunkSize) {
    throw new MetadataError(`metadata database ${dbPath} has chunk size ${chunkSize}, the superblock ${sb.chunkSize}`);
  }
}

/** The SQLite engine of `Metadata`: every method is one transaction on one connection. */
export class SqliteMetadata implements Metadata {
  private readonly st: Statements;
  private readonly nodes: Nodes;
  private readonly book: ObjectBook;
  private readonly runTx: (fn: () => unknown) => unknown;
  private readonly refs = new ChunkRefCache();
  /** Latest snapshot seq taken; mirrors the settings row. */
  private seq: number;
  /** Mirrors the `changed` settings row, so that a write sets it once per snapshot. */
  private changed: boolean;

  constructor(
    private readonly db: Db,
    private readonly dbPath: string,
    readonly superblock: Superblock,
    private readonly synchronous: Synchronous = 'full',
  ) {
    this.st = new Statements(db);
    this.nodes = new Nodes(this.st);
    this.book = new ObjectBook(this.st, () => this.seq);
    this.runTx = db.transaction((fn: () => unknown) => fn());
    this.seq = Number(this.getSetting(SETTING.snapshotSeq) ?? 0);
    this.changed = this.getSetting(SETTING.changed) !== '0';
  }

  /** A read-only transaction (a consistent view across statements). */
  private read<T>(fn: () => T): T {
    return this.runTx(fn) as T;
  }

  /** A writing transaction; it also records that the database changed since the last snapshot. */
  private write<T>(fn: () => T): T {
    const result = this.runTx(() => {
      const r = fn();
      if (!this.changed) this.putSetting(SETTING.changed, '1');
      return r;
    }) as T;
    this.changed = true;
    return result;
  }

  getattr(ino: number): Attr {
    return toAttr(this.nodes.get(ino));
  }

  // lookup and readdir are the hottest reads: one statement (atomic on its own) when the
  // answer is found; only a miss looks further, for the right errno.
  lookup(parent: number, name: Buffer): Attr {
    if (isDotName(name)) {
      this.nodes.dir(parent);
      return this.getattr(name.length === 1 ? parent : this.nodes.parentOf(parent));
    }
    const row = name.length > 0 && name.length <= NAME_MAX
      ? (this.st.get('SELECT i.* FROM dentries d JOIN inodes i ON i.ino = d.ino WHERE d.parent = ? AND d.name = ?').get(parent, name) as InodeRow | undefined)
      : undefined;
    if (row) return toAttr(row);
    this.nodes.dir(parent);
    checkName(name);
    throw fsError('ENOENT', `no entry ${JSON.stringify(name.toString())} in ${parent}`);
  }

  readdir(dir: number, after: Buffer | null, limit: number): DirEntry[] {
    const rows = this.st
      .raw(READDIR_SQL)
      .all(dir, after ?? Buffer.alloc(0), Math.max(0, limit)) as unknown[][];
    if (rows.length === 0) this.nodes.dir(dir);
    return rows.map((r) => ({ name: r[0] as Buffer, attr: attrAt(r, 1) }));
  }

  mknod(parent: number, name: Buffer, node: NewNode): Attr {
    return this.write(() => {
      if (!isDotName(name)) checkName(name);
      this.nodes.liveDir(parent);
      if (isDotName(name) || this.nodes.child(parent, name) !== undefined) throw fsError('EEXIST', 'name exists');
      if (node.kind === 'symlink') checkSymlinkTarget(node.target);
      const isDir = node.kind === 'dir';
      const size = isDir ? DIR_SIZE : node.kind === 'symlink' ? node.target!.length : 0;
      const { lastInsertRowid } = this.st
        .get('INSERT INTO inodes (kind, perm, uid, gid, nlink, size, atime_ms, mtime_ms, ctime_ms, rdev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(node.kind, node.perm & 0o7777, node.uid, node.gid, isDir ? 2 : 1, size, node.nowMs, node.nowMs, node.nowMs, node.rdev ?? 0);
      const ino = Number(lastInsertRowid);
      this.nodes.addEntry(parent, name, ino);
      if (node.kind === 'symlink') this.st.get('INSERT INTO symlinks (ino, target) VALUES (?, ?)').run(ino, node.target);
      this.nodes.dirChanged(parent, node.nowMs, isDir ? 1 : 0);
      const t = node.nowMs;
      // The row as inserted: reading it back would cost a statement per create.
      return { ino, kind: node.kind, perm: node.perm & 0o7777, uid: node.uid, gid: node.gid, nlink: isDir ? 2 : 1, size, atimeMs: t, mtimeMs: t, ctimeMs: t, rdev: node.rdev ?? 0 };
    });
  }

  link(ino: number, parent: number, name: Buffer, nowMs: number): Attr {
    return this.write(() => {
      const node = this.nodes.get(ino);
      if (node.kind === 'dir') throw fsError('EPERM', 'hard link to a directory');
      if (!isDotName(name)) checkName(name);
      this.nodes.liveDir(parent);
      if (isDotName(name) || this.nodes.child(parent, name) !== undefined) throw fsError('EEXIST', 'name exists');
      // Linux refuses to give an unlinked inode a name again (linkat of an open, deleted file).
      if (node.nlink === 0) throw fsError('ENOENT', `inode ${ino} was unlinked`);
      this.nodes.addEntry(parent, name, ino);
      this.nodes.linksChanged(ino, +1, nowMs);
      this.nodes.dirChanged(parent, nowMs);
      return this.getattr(ino);
    });
  }

  unlink(parent: number, name: Buffer, nowMs: number): Attr {
    return this.write(() => {
      this.nodes.dir(parent);
      if (isDotName(name)) throw fsError('EISDIR', 'unlink of . or ..');
      checkName(name);
      const node = this.nodes.childRow(parent, name);
      if (node.kind === 'dir') throw fsError('EISDIR', 'unlink of a directory');
      this.nodes.removeEntry(parent, name);
      this.nodes.linksChanged(node.ino, -1, nowMs);
      this.nodes.dirChanged(parent, nowMs);
      return this.getattr(node.ino);
    });
  }

  rmdir(parent: number, name: Buffer, nowMs: number): void {
    this.write(() => {
      this.nodes.dir(parent);
      if (isDotName(name)) throw fsError(name.length === 1 ? 'EINVAL' : 'ENOTEMPTY', 'rmdir of . or ..');
      checkName(name);
      const node = this.nodes.childRow(parent, name);
      if (node.kind !== 'dir') throw fsError('ENOTDIR', 'rmdir of a non-directory');
      if (node.ino === ROOT_INO) throw fsError('EBUSY', 'rmdir of the root');
      if (this.nodes.hasEntries(node.ino)) throw fsError('ENOTEMPTY', 'directory not empty');
      this.nodes.removeEntry(parent, name);
      // A directory holds no data that an open handle could still read: remove it now.
      this.nodes.deleteRows(node.ino);
      this.nodes.dirChanged(parent, nowMs, -1);
    });
  }

  rename(srcParent: number, srcName: Buffer, dstParent: number, dstName: Buffer, flags: RenameFlags, nowMs: number): { replaced?: Attr } {
    return this.write(() => renameEntry(this.nodes, { srcParent, srcName, dstParent, dstName, flags, nowMs }));
  }

  setattr(ino: number, changes: AttrChanges): Attr {
    return this.changingChunks(ino, () => {
      const node = this.nodes.get(ino);
      const { size } = changes;
      if (size !== undefined) {
        if (!Number.isSafeInteger(size) || size < 0) throw fsError('EINVAL', `bad size ${size}`);
        if (node.kind === 'dir') throw fsError('EISDIR', 'truncate of a directory');
        if (node.kind !== 'file') throw fsError('EINVAL', `truncate of a ${node.kind}`);
        // Chunks wholly at or past the new end go; the chunker trims the boundary chunk.
        this.book.dropChunks(ino, Math.ceil(size / this.superblock.chunkSize));
      }
      const perm = changes.perm === undefined ? undefined : changes.perm & 0o7777;
      this.st
        .get(`UPDATE inodes SET perm = coalesce(?, perm), uid = coalesce(?, uid), gid = coalesce(?, gid), size = coalesce(?, size),
              atime_ms = coalesce(?, atime_ms), mtime_ms = coalesce(?, mtime_ms), ctime_ms = coalesce(?, ctime_ms) WHERE ino = ?`)
        .run(perm, changes.uid, changes.gid, size, changes.atimeMs, changes.mtimeMs, changes.ctimeMs, ino);
      return this.getattr(ino);
    });
  }

  readlink(ino: number): Buffer {
    return this.read(() => {
      const node = this.nodes.get(ino);
      if (node.kind !== 'symlink') throw fsError('EINVAL', `inode ${ino} is no symlink`);
      const row = this.st.get('SELECT target FROM symlinks WHERE ino = ?').get(ino) as { target: Buffer } | undefined;
      if (!row) throw fsError('EIO', `symlink ${ino} has no target`);
      return row.target;
    });
  }

  getChunk(ino: number, idx: number): ChunkRef | null {
    const known = this.refs.get(ino, idx);
    if (known !== undefined) return known;
    const ref = this.chunkRow(ino, idx);
    this.refs.set(ino, idx, ref);
    return ref;
  }

  private chunkRow(ino: number, idx: number): ChunkRef | null {
    const row = this.st.get('SELECT idx, object_id AS objectId, len, xxh64 FROM chunks WHERE ino = ? AND idx = ?').get(ino, idx);
    return (row as ChunkRef | undefined) ?? null;
  }

  /** A writing transaction that may change `ino`'s chunk rows: their cached refs are forgotten, committed or not. */
  private changingChunks<T>(ino: number, fn: () => T): T {
    try {
      return this.write(fn);
    } finally {
      this.refs.forget(ino);
    }
  }

  getChunks(ino: number, fromIdx: number, toIdx: number): ChunkRef[] {
    return this.st
      .get('SELECT idx, object_id AS objectId, len, xxh64 FROM chunks WHERE ino = ? AND idx >= ? AND idx < ? ORDER BY idx')
      .all(ino, fromIdx, toIdx) as ChunkRef[];
  }

  commitChunks(ino: number, updates: ChunkUpdate[], sizeAtLeast?: number): void {
    for (const u of updates) {
      if (!Number.isSafeInteger(u.idx) || u.idx < 0) throw fsError('EINVAL', `bad chunk index ${u.idx}`);
      if (u.objectId !== null && (!isObjectId(u.objectId) || !Number.isSafeInteger(u.len) || u.len < 0)) {
        throw fsError('EINVAL', `bad chunk ref ${JSON.stringify(u)}`);
      }
    }
    this.changingChunks(ino, () => {
      const node = this.nodes.find(ino);
      if (!node) {
        // The file was destroyed while its chunks were uploading: no snapshot can name them.
        for (const u of updates) if (u.objectId !== null) this.book.queue(u.objectId, u.len, 0);
        return;
      }
      for (const u of updates) this.commitOne(ino, u);
      if (sizeAtLeast !== undefined && sizeAtLeast > node.size) {
        this.st.get('UPDATE inodes SET size = ? WHERE ino = ? AND size < ?').run(sizeAtLeast, ino, sizeAtLeast);
      }
    });
  }

  private commitOne(ino: number, u: ChunkUpdate): void {
    const old = this.chunkRow(ino, u.idx);
    if (u.objectId === null) {
      if (!old) return;
      this.st.get('DELETE FROM chunks WHERE ino = ? AND idx = ?').run(ino, u.idx);
      this.book.retire(old.objectId);
      return;
    }
    if (old?.objectId !== u.objectId) this.book.reference(u.objectId, u.len);
    this.st
      .get('INSERT INTO chunks (ino, idx, object_id, len, xxh64) VALUES (?, ?, ?, ?, ?) ON CONFLICT(ino, idx) DO UPDATE SET object_id = excluded.object_id, len = excluded.len, xxh64 = excluded.xxh64')
      .run(ino, u.idx, u.objectId, u.len, u.xxh64);
    if (old && old.objectId !== u.objectId) this.book.retire(old.objectId);
  }

  getxattr(ino: number, name: string): Buffer {
    // One statement, atomic on its own, in place of a transaction around two: the kernel
    // asks for security.capability before every write(2), and the transaction tripled the cost.
    const row = this.st
      .get('SELECT (SELECT 1 FROM inodes WHERE ino = ?) AS present, (SELECT value FROM xattrs WHERE ino = ? AND name = ?) AS value')
      .get(ino, ino, name) as { present: number | null; value: Buffer | null };
    if (row.present === null) this.nodes.get(ino); // throws ENOENT, as for any missing inode
    if (row.value === null) throw fsError('ENODATA', `no xattr ${name}`);
    return row.value;
  }

  setxattr(ino: number, name: string, value: Buffer, mode?: 'create' | 'replace'): void {
    checkXattrName(name);
    if (value.length > XATTR_SIZE_MAX) throw fsError('E2BIG', `xattr value of ${value.length} bytes`);
    this.write(() => {
      this.nodes.get(ino);
      const exists = this.st.get('SELECT 1 FROM xattrs WHERE ino = ? AND name = ?').get(ino, name) !== undefined;
      if (mode === 'create' && exists) throw fsError('EEXIST', `xattr ${name} exists`);
      if (mode === 'replace' && !exists) throw fsError('ENODATA', `no xattr ${name}`);
      this.st.get('INSERT INTO xattrs (ino, name, value) VALUES (?, ?, ?) ON CONFLICT(ino, name) DO UPDATE SET value = excluded.value').run(ino, name, value);
      this.st.get('UPDATE inodes SET ctime_ms = ? WHERE ino = ?').run(Date.now(), ino);
    });
  }

  listxattr(ino: number): string[] {
    return this.read(() => {
      this.nodes.get(ino);
      return (this.st.get('SELECT name FROM xattrs WHERE ino = ? ORDER BY name').all(ino) as { name: string }[]).map((r) => r.name);
    });
  }

  removexattr(ino: number, name: string): void {
    checkXattrName(name);
    this.write(() => {
      this.nodes.get(ino);
      const { changes } = this.st.get('DELETE FROM xattrs WHERE ino = ? AND name = ?').run(ino, name);
      if (changes === 0) throw fsError('ENODATA', `no xattr ${name}`);
      this.st.get('UPDATE inodes SET ctime_ms = ? WHERE ino = ?').run(Date.now(), ino);
    });
  }

  /** Idempotent: destroying an inode that is already gone does nothing. EBUSY while it still has a name. */
  destroyInode(ino: number): void {
    this.changingChunks(ino, () => {
      const node = this.nodes.find(ino);
      if (!node) return;
      if (node.nlink > 0) throw fsError('EBUSY', `inode ${ino} still has ${node.nlink} link(s)`);
      this.book.dropChunks(ino, 0);
      this.nodes.deleteRows(ino);
    });
  }

  orphanInodes(): number[] {
    return (this.st.get('SELECT ino FROM inodes WHERE nlink = 0 ORDER BY ino').all() as { ino: number }[]).map((r) => r.ino);
  }

  statfs(): FsStats {
    return this.read(() => {
      const i = this.st.get("SELECT count(*) AS files, coalesce(sum(CASE WHEN kind = 'file' THEN size END), 0) AS bytes FROM inodes").get() as {
        files: number;
        bytes: number;
      };
      const o = this.st.get('SELECT count(*) AS objects, coalesce(sum(size), 0) AS objectBytes FROM objects').get() as {
        objects: number;
        objectBytes: number;
      };
      return { files: i.files, bytes: i.bytes, objects: o.objects, objectBytes: o.objectBytes };
    });
  }

  dueDeletions(limit: number): PendingDelete[] {
    return this.st
      .get('SELECT object_id AS objectId, size FROM pending_deletes WHERE not_before <= ? ORDER BY not_before, object_id LIMIT ?')
      .all(this.lastUploadedSnapshot(), Math.max(0, limit)) as PendingDelete[];
  }

  forgetDeletions(objectIds: string[]): void {
    if (objectIds.length === 0) return;
    this.write(() => {
      const del = this.st.get('DELETE FROM pending_deletes WHERE object_id = ?');
      for (const id of objectIds) del.run(id);
    });
  }

  referencedObjects(after: string | null, limit: number): { objectId: string; size: number }[] {
    return this.st
      .get('SELECT object_id AS objectId, max(len) AS size FROM chunks WHERE object_id > ? GROUP BY object_id ORDER BY object_id LIMIT ?')
      .all(after ?? '', Math.max(0, limit)) as { objectId: string; size: number }[];
  }

  changedSinceSnapshot(): boolean {
    // A snapshot taken but never recorded as uploaded (its upload failed) counts as no snapshot.
    return this.changed || this.seq > this.lastUploadedSnapshot();
  }

  async takeSnapshot(): Promise<{ seq: number; db: Buffer }> {
    const seq = this.seq + 1;
    // Bump the seq first: an object retired from now on gets not_before = seq + 1, so the
    // copy taken below may reference it safely.
    this.runTx(() => {
      this.putSetting(SETTING.snapshotSeq, String(seq));
      this.putSetting(SETTING.changed, '0');
    });
    this.seq = seq;
    this.changed = false;
    // Objects retired before this point are deleted once the copy is uploaded, so the local
    // database must never fall back behind it, not even after a power cut.
    this.sync();
    return { seq, db: await backupDatabase(this.db, this.dbPath, seq) };
  }

  snapshotUploaded(seq: number): void {
    if (seq <= this.lastUploadedSnapshot()) return;
    // Not a change of the filesystem: it must not trigger another snapshot.
    this.runTx(() => this.putSetting(SETTING.snapshotUploaded, String(seq)));
  }

  lastUploadedSnapshot(): number {
    return Number(this.getSetting(SETTING.snapshotUploaded) ?? 0);
  }

  getSetting(key: string): string | null {
    const row = this.st.get('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setSetting(key: string, value: string): void {
    this.write(() => this.putSetting(key, value));
  }

  private putSetting(key: string, value: string): void {
    this.st.get('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  sync(): void {
    if (this.synchronous === 'full') return; // every commit was synced already
    // In WAL mode a commit under synchronous=FULL fsyncs the WAL, which holds every earlier
    // commit too. The commit must change a row: SQLite writes nothing for an unchanged one.
    this.db.pragma('synchronous = FULL');
    try {
      this.st
        .get("INSERT INTO settings (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = CAST(value + 1 AS TEXT)")
        .run(SETTING.syncs);
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Linux's symlink(2): EINVAL without a target (a caller's bug), ENOENT for an empty one, ENAMETOOLONG past PATH_MAX. */
function checkSymlinkTarget(target: Buffer | undefined): void {
  if (!target) throw fsError('EINVAL', 'symlink without a target');
  if (target.length === 0) throw fsError('ENOENT', 'empty symlink target');
  if (target.length >= PATH_MAX) throw fsError('ENAMETOOLONG', `symlink target of ${target.length} bytes`);
}

function checkXattrName(name: string): void {
  const bytes = Buffer.byteLength(name);
  if (bytes === 0 || bytes > XATTR_NAME_MAX) throw fsError('ERANGE', `xattr name of ${bytes} bytes`);
}
