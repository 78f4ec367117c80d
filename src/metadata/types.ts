/**
 * The metadata interface: inode-addressed operations, each one atomic (one transaction).
 * SQLite is the first engine (`src/metadata/sqlite.ts`); nothing SQLite-specific leaves
 * this folder, so a second engine can implement the same interface and run the same suite.
 *
 * Names are raw bytes (`Buffer`): POSIX names are byte strings, not UTF-8.
 * Times are milliseconds since the epoch (fuse-native's resolution).
 * Every method throws `FsError` with the errno Linux would give (ENOENT, EEXIST, ...).
 */

export type InodeKind = 'file' | 'dir' | 'symlink' | 'fifo' | 'chr' | 'blk' | 'sock';

export const ROOT_INO = 1;
export const NAME_MAX = 255;

/** st_mode file-type bits per kind. */
export const KIND_BITS: Record<InodeKind, number> = {
  file: 0o100000,
  dir: 0o040000,
  symlink: 0o120000,
  fifo: 0o010000,
  chr: 0o020000,
  blk: 0o060000,
  sock: 0o140000,
};

export interface Attr {
  ino: number;
  kind: InodeKind;
  /** Permission bits only (0o7777); the type bits follow from `kind`. */
  perm: number;
  uid: number;
  gid: number;
  nlink: number;
  size: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  rdev: number;
}

export interface DirEntry {
  name: Buffer;
  /** The entry's attributes (inode, kind, ...), read with the listing: a listing is usually stat'ed next. */
  attr: Attr;
}

export interface NewNode {
  kind: InodeKind;
  perm: number;
  uid: number;
  gid: number;
  rdev?: number;
  /** Symlink target; required when kind is 'symlink'. */
  target?: Buffer;
  nowMs: number;
}

export interface AttrChanges {
  perm?: number;
  uid?: number;
  gid?: number;
  /** Sets the size field. Chunk rows wholly at or past the new size are removed and their objects retired. */
  size?: number;
  atimeMs?: number;
  mtimeMs?: number;
  ctimeMs?: number;
}

/** Where one chunk of a file lives. */
export interface ChunkRef {
  idx: number;
  objectId: string;
  /** Bytes in the object (the chunk's length; the last chunk of a file may be short). */
  len: number;
  /** xxh64 of the object's bytes, as 16 lowercase hex digits. */
  xxh64: string;
}

/** A chunk update: a new object for (ino, idx), or `objectId: null` for a hole / all-zero chunk. */
export type ChunkUpdate = ChunkRef | { idx: number; objectId: null };

export interface RenameFlags {
  /** RENAME_NOREPLACE: fail with EEXIST if the target exists. */
  noreplace?: boolean;
  /** RENAME_EXCHANGE: swap source and target atomically (both must exist). */
  exchange?: boolean;
}

export interface FsStats {
  /** Inodes in use. */
  files: number;
  /** Sum of regular files' sizes. */
  bytes: number;
  /** Objects referenced by chunk rows. */
  objects: number;
  /** Sum of those objects' sizes (what the store holds for live data). */
  objectBytes: number;
}

export interface Superblock {
  formatVersion: number;
  uuid: string;
  chunkSize: number;
  createdMs: number;
}

export interface PendingDelete {
  objectId: string;
  size: number;
}

export interface Metadata {
  readonly superblock: Superblock;

  /** The inode's attributes. ENOENT when it does not exist. */
  getattr(ino: number): Attr;
  /** The child `name` of directory `parent`. ENOENT when missing, ENOTDIR when parent is no directory, ENAMETOOLONG over 255 bytes. */
  lookup(parent: number, name: Buffer): Attr;
  /**
   * Up to `limit` entries of `dir` whose names sort after `after` (byte order), without `.`
   * and `..`; pass the last name returned to continue. ENOTDIR when dir is no directory.
   */
  readdir(dir: number, after: Buffer | null, limit: number): DirEntry[];
  /**
   * Creates a node (file, dir, symlink, fifo, device, socket) named `name` in `parent`.
   * EEXIST when the name is taken. A new directory has nlink 2 and raises the parent's nlink.
   * Updates the parent's mtime and ctime.
   */
  mknod(parent: number, name: Buffer, node: NewNode): Attr;
  /** A new name for inode `ino` (not a directory: EPERM). Raises nlink, sets ctime. EEXIST when taken. */
  link(ino: number, parent: number, name: Buffer, nowMs: number): Attr;
  /**
   * Removes the name of a non-directory (EISDIR for a directory) and lowers the inode's nlink.
   * Returns the inode's attributes after the unlink: nlink 0 means the inode is now an
   * orphan; the caller destroys it (`destroyInode`) once no handle has it open.
   */
  unlink(parent: number, name: Buffer, nowMs: number): Attr;
  /**
   * Removes an empty directory, its inode included (a directory holds no data an open
   * handle could still read). ENOTEMPTY, ENOTDIR; EINVAL for `.`, ENOTEMPTY for `..`.
   */
  rmdir(parent: number, name: Buffer, nowMs: number): void;
  /**
   * Moves a name, replacing the target as rename(2) does (a directory only over an empty
   * directory: ENOTEMPTY; file over directory: EISDIR; directory over file: ENOTDIR; a
   * directory into its own subtree: EINVAL). Returns the replaced inode's attributes after
   * it lost that name (nlink may be 0: the caller destroys it once it is closed; a replaced
   * directory is already removed, like rmdir). Two names of one inode: a no-op.
   */
  rename(srcParent: number, srcName: Buffer, dstParent: number, dstName: Buffer, flags: RenameFlags, nowMs: number): { replaced?: Attr };
  /** Changes attributes; returns the new attributes. */
  setattr(ino: number, changes: AttrChanges): Attr;
  /** A symlink's target. EINVAL when the inode is no symlink. */
  readlink(ino: number): Buffer;

  /** The chunk at `idx`, or null for a hole. The ref may be shared: do not modify it. */
  getChunk(ino: number, idx: number): ChunkRef | null;
  /** Chunks with fromIdx <= idx < toIdx that exist, ascending. */
  getChunks(ino: number, fromIdx: number, toIdx: number): ChunkRef[];
  /**
   * Points (ino, idx) at new objects in one transaction and retires the objects they
   * replace (DESIGN invariant 2). If `sizeAtLeast` is given, the size is raised to it
   * when smaller. If the inode no longer exists, the new objects are retired instead.
   */
  commitChunks(ino: number, updates: ChunkUpdate[], sizeAtLeast?: number): void;

  /** ENODATA when missing. */
  getxattr(ino: number, name: string): Buffer;
  /** `create`: EEXIST when present; `replace`: ENODATA when missing. Sets ctime. */
  setxattr(ino: number, name: string, value: Buffer, mode?: 'create' | 'replace'): void;
  listxattr(ino: number): string[];
  /** ENODATA when missing. */
  removexattr(ino: number, name: string): void;

  /**
   * Removes an inode with nlink 0: its chunk rows (objects retired), xattrs, symlink target
   * and row. Does nothing when the inode is already gone; EBUSY while it still has a name.
   */
  destroyInode(ino: number): void;
  /** Inodes with nlink 0 (left by a crash while they were open). */
  orphanInodes(): number[];
  statfs(): FsStats;

  /** Objects retired and safe to delete: no uploaded snapshot newer than their retirement references them. */
  dueDeletions(limit: number): PendingDelete[];
  /** Forget pending deletions whose objects have been deleted from the store. */
  forgetDeletions(objectIds: string[]): void;
  /** Every object id that chunk rows reference (for fsck/gc), ascending, in pages. */
  referencedObjects(after: string | null, limit: number): { objectId: string; size: number }[];

  /**
   * True when anything changed since the last snapshot was taken, or when that snapshot was
   * never recorded as uploaded (`snapshotUploaded`), so a failed upload is retried.
   */
  changedSinceSnapshot(): boolean;
  /**
   * A consistent copy of the database (SQLite backup API), taken now. Bumps the snapshot
   * sequence: objects retired before this call are not referenced by the copy.
   */
  takeSnapshot(): Promise<{ seq: number; db: Buffer }>;
  /** Records that snapshot `seq` is in the store; deletions retired before it become due. */
  snapshotUploaded(seq: number): void;
  /** Latest snapshot sequence recorded as uploaded (0 when none). */
  lastUploadedSnapshot(): number;

  /** A small key/value space for other layers' bookkeeping (e.g. the lease, the journal). */
  getSetting(key: string): string | null;
  setSetting(key: string, value: string): void;

  /**
   * Makes every commit so far durable: it survives a power cut once this returns. An engine
   * may commit lazily (SQLite with synchronous=normal) and pay for durability only here; the
   * vfs calls it on fsync, on close in default mode and on fsyncdir (DESIGN invariant 4).
   */
  sync(): void;

  close(): void;
}
