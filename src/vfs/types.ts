import type { Attr, InodeKind } from '../metadata/types.js';

export type { Attr, InodeKind };
export { KIND_BITS, NAME_MAX, ROOT_INO } from '../metadata/types.js';

/** Who asks: the caller's credentials (from FUSE's context). */
export interface Caller {
  uid: number;
  gid: number;
}

export interface SetAttr {
  /** Permission bits (0o7777). */
  perm?: number;
  uid?: number;
  gid?: number;
  size?: number;
  /** ms since the epoch, or 'now'. */
  atimeMs?: number | 'now';
  mtimeMs?: number | 'now';
}

export interface StatFs {
  bsize: number;
  frsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  favail: number;
  namemax: number;
}

export interface VfsDirEntry {
  name: Buffer;
  attr: Attr;
}

/**
 * POSIX operations over inodes. Every method rejects with `FsError` (errno name) for a
 * POSIX outcome; any other error is a failure the caller reports as EIO.
 * Open flags are Linux's O_* numbers.
 */
export interface Vfs {
  lookup(parent: number, name: Buffer): Promise<Attr>;
  getattr(ino: number): Promise<Attr>;
  /** `fh`, when given, is an open handle of `ino` (ftruncate, fchmod). */
  setattr(ino: number, changes: SetAttr, caller?: Caller, fh?: number): Promise<Attr>;
  /** Entries of a directory (with `.` and `..` first), starting at `offset`, at most `limit`. */
  readdir(ino: number, offset: number, limit: number): Promise<VfsDirEntry[]>;
  /** Regular files, fifos, sockets and device nodes. `mode` carries the type bits. */
  mknod(parent: number, name: Buffer, mode: number, rdev: number, caller: Caller): Promise<Attr>;
  mkdir(parent: number, name: Buffer, perm: number, caller: Caller): Promise<Attr>;
  create(parent: number, name: Buffer, perm: number, flags: number, caller: Caller): Promise<{ attr: Attr; fh: number }>;
  open(ino: number, flags: number): Promise<number>;
  /** The bytes read; the buffer may be shared with the chunk cache: do not modify it. */
  read(fh: number, offset: number, length: number): Promise<Buffer>;
  /**
   * `read` without waiting when memory holds the bytes (a sequential reader's usual case):
   * the bytes, or null when `read` must be called (which also reports every error).
   */
  readCached(fh: number, offset: number, length: number): Buffer | null;
  /**
   * Returns the bytes written (all of them, or an error). O_APPEND handles write at the end.
   * `data` is read only until the promise settles, so the caller may reuse it afterwards.
   */
  write(fh: number, offset: number, data: Buffer): Promise<number>;
  /** close(2) of one descriptor: durable on return unless writeback mode (DESIGN invariant 4). */
  flush(fh: number): Promise<void>;
  /** Durable on return: data uploaded and metadata committed. */
  fsync(fh: number, datasync: boolean): Promise<void>;
  /** Durable on return: every namespace change so far (entries of this directory included). */
  fsyncdir(ino: number): Promise<void>;
  /** The last close of the handle. Destroys an unlinked inode when its last handle goes. */
  release(fh: number): Promise<void>;
  unlink(parent: number, name: Buffer): Promise<void>;
  rmdir(parent: number, name: Buffer): Promise<void>;
  rename(srcParent: number, srcName: Buffer, dstParent: number, dstName: Buffer, flags?: { noreplace?: boolean; exchange?: boolean }): Promise<void>;
  link(ino: number, newParent: number, newName: Buffer): Promise<Attr>;
  symlink(parent: number, name: Buffer, target: Buffer, caller: Caller): Promise<Attr>;
  readlink(ino: number): Promise<Buffer>;
  getxattr(ino: number, name: string): Promise<Buffer>;
  setxattr(ino: number, name: string, value: Buffer, mode?: 'create' | 'replace'): Promise<void>;
  listxattr(ino: number): Promise<string[]>;
  removexattr(ino: number, name: string): Promise<void>;
  statfs(): Promise<StatFs>;
  /**
   * access(2): resolves when `caller` may access `ino` for `mask` (R_OK 4 | W_OK 2 | X_OK 1,
   * or F_OK 0 for existence). Owner, then group, then other bits; root passes except
   * execute on a non-directory with no x bit. EACCES when refused, EROFS for W_OK on a
   * read-only filesystem, ENOENT when the inode is gone.
   */
  access(ino: number, mask: number, caller: Caller): Promise<void>;
  /** Namespace totals: inodes, bytes of regular files, objects and their bytes (for status). */
  usage(): { files: number; bytes: number; objects: number; objectBytes: number };
  /** Bytes and objects uploaded, dirty bytes waiting (for status and umount). */
  stats(): { dirtyBytes: number; uploadedObjects: number; uploadedBytes: number };
  /** Flushes everything, uploads a metadata snapshot, closes the layers below. */
  close(): Promise<void>;
}
