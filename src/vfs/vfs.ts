import { fsError, isErrno } from '../errors.js';
import type { FileData } from '../chunker/types.js';
import { KIND_BITS, type Attr, type InodeKind, type Metadata } from '../metadata/types.js';
import { MAX_FILE_SIZE, O_EXCL, O_TRUNC, SYMLINK_MAX, W_OK, X_OK, canWrite } from './flags.js';
import { FileIo } from './file-io.js';
import { checkName, isDot, isDotName } from './names.js';
import { S_ISGID, checkAccess, checkChown, checkOwner, isRoot, permAfterChown, permForChmod } from './perms.js';
import { ReaddirCursors } from './readdir-cursor.js';
import { checkXattrName, checkXattrTarget, checkXattrValue } from './xattr-names.js';
import type { Caller, SetAttr, StatFs, Vfs, VfsDirEntry } from './types.js';

export interface VfsOptions {
  /** close() returns once data is in the local journal; fsync still uploads (DESIGN invariant 4). */
  writeback?: boolean;
  /** Every mutating operation fails with EROFS. */
  readOnly?: boolean;
  /** Runs at the end of close(), after every file is flushed and the chunk layer closed. */
  onClose?: () => Promise<void>;
  /** The clock (ms since the epoch); tests may pin it. */
  now?: () => number;
}

const STATFS_BLOCK = 4096;
/** statfs totals: the store has no meaningful capacity, so report plenty (4 PiB, 2^40 inodes). */
const STATFS_BLOCKS = 2 ** 40;
const STATFS_FILES = 2 ** 40;
const TYPE_MASK = 0o170000;

/** The kind named by mknod's type bits; EPERM or EINVAL for what mknod cannot make. */
function kindForMknod(mode: number, caller: Caller): InodeKind {
  const type = mode & TYPE_MASK;
  if (type === 0 || type === KIND_BITS.file) return 'file';
  if (type === KIND_BITS.fifo) return 'fifo';
  if (type === KIND_BITS.sock) return 'sock';
  if (type === KIND_BITS.chr || type === KIND_BITS.blk) {
    if (!isRoot(caller)) throw fsError('EPERM', 'device nodes need root');
    return type === KIND_BITS.chr ? 'chr' : 'blk';
  }
  if (type === KIND_BITS.dir) throw fsError('EPERM', 'mknod cannot make a directory');
  throw fsError('EINVAL', `mknod: unsupported file type ${type.toString(8)}`);
}

/** POSIX operations over inodes, on a `Metadata` engine and a `FileData` chunk layer. */
export class ChunkVfs implements Vfs {
  private readonly io: FileIo;
  private readonly cursors = new ReaddirCursors();
  private readOnly: boolean;
  private fenceReason: string | undefined;
  private readonly now: () => number;
  private closing: Promise<void> | undefined;

  constructor(private readonly meta: Metadata, private readonly data: FileData, private readonly opts: VfsOptions = {}) {
    this.readOnly = opts.readOnly ?? false;
    this.now = opts.now ?? Date.now;
    this.io = new FileIo(meta, data, opts.writeback ?? false, this.now);
  }

  async lookup(parent: number, name: Buffer): Promise<Attr> {
    if (!isDotName(name)) checkName(name);
    return this.view(this.meta.lookup(parent, name));
  }

  async getattr(ino: number): Promise<Attr> {
    return this.view(this.meta.getattr(ino));
  }

  async setattr(ino: number, changes: SetAttr, caller?: Caller, fh?: number): Promise<Attr> {
    this.writable();
    const attr = this.view(this.meta.getattr(ino));
    if (caller) this.checkSetattr(attr, changes, caller, fh);
    if (changes.size !== undefined) {
      if (fh !== undefined && !this.io.handles.get(fh).writable) throw fsError('EINVAL', 'handle not open for writing');
      if (attr.kind === 'dir') throw fsError('EISDIR');
      if (attr.kind !== 'file') throw fsError('EINVAL', 'only regular files have a size to set');
      if (changes.size > MAX_FILE_SIZE) throw fsError('EFBIG');
      await this.io.truncate(ino, changes.size);
    }
    const now = this.now();
    const rest: Parameters<Metadata['setattr']>[1] = {};
    if (changes.perm !== undefined) rest.perm = caller ? permForChmod(attr, changes.perm, caller) : changes.perm & 0o7777;
    if (changes.uid !== undefined || changes.gid !== undefined) {
      rest.uid = changes.uid;
      rest.gid = changes.gid;
      if (changes.perm === undefined) rest.perm = permAfterChown(attr);
    }
    if (changes.atimeMs !== undefined) rest.atimeMs = changes.atimeMs === 'now' ? now : changes.atimeMs;
    if (changes.mtimeMs !== undefined) rest.mtimeMs = changes.mtimeMs === 'now' ? now : changes.mtimeMs;
    if (Object.keys(rest).length === 0) return this.view(this.meta.getattr(ino));
    rest.ctimeMs = now;
    const result = this.meta.setattr(ino, rest);
    const state = this.io.handles.inode(ino);
    if (state && rest.mtimeMs !== undefined) state.mtimeMs = result.mtimeMs;
    if (state) state.ctimeMs = result.ctimeMs;
    return this.view(result);
  }

  async readdir(ino: number, offset: number, limit: number): Promise<VfsDirEntry[]> {
    const dir = this.dirAttr(ino);
    const out: VfsDirEntry[] = [];
    if (limit <= 0) return out;
    if (offset <= 0) out.push({ name: Buffer.from('.'), attr: dir });
    if (offset <= 1 && out.length < limit) out.push({ name: Buffer.from('..'), attr: this.meta.lookup(ino, Buffer.from('..')) });
    const pos = Math.max(offset, 2);
    const after = pos === 2 ? null : this.cursors.get(ino, pos) ?? this.skip(ino, pos - 2);
    if (after === undefined || out.length >= limit) return out;
    const entries = this.meta.readdir(ino, after, limit - out.length);
    for (const entry of entries) {
      out.push({ name: entry.name, attr: this.view(entry.attr) });
    }
    if (entries.length > 0) this.cursors.set(ino, pos + entries.length, entries[entries.length - 1]!.name);
    return out;
  }

  async mknod(parent: number, name: Buffer, mode: number, rdev: number, caller: Caller): Promise<Attr> {
    this.writable();
    const kind = kindForMknod(mode, caller);
    return this.makeNode(parent, name, kind, mode & 0o7777, caller, { rdev: kind === 'chr' || kind === 'blk' ? rdev : 0 });
  }

  async mkdir(parent: number, name: Buffer, perm: number, caller: Caller): Promise<Attr> {
    this.writable();
    return this.makeNode(parent, name, 'dir', perm & 0o7777, caller, {});
  }

  async create(parent: number, name: Buffer, perm: number, flags: number, caller: Caller): Promise<{ attr: Attr; fh: number }> {
    this.writable();
    let attr: Attr;
    try {
      attr = this.makeNode(parent, name, 'file', perm & 0o7777, caller, {});
    } catch (err) {
      // Most creates make a new name, so the name is looked up only when making it failed
      // in a way an existing file explains: EEXIST, or EACCES from a directory the caller
      // may not write (opening a file in it needs no such right).
      if (!isErrno(err, 'EEXIST') && !isErrno(err, 'EACCES')) throw err;
      const existing = this.existingChild(parent, name);
      if (!existing) throw err;
      if (flags & O_EXCL) throw fsError('EEXIST');
      const fh = await this.open(existing.ino, flags);
      return { attr: await this.getattr(existing.ino), fh };
    }
    const handle = await this.io.open(attr, flags & ~O_TRUNC);
    return { attr: this.view(attr), fh: handle.fh };
  }

  /** The entry `name` in `parent`, or undefined when there is none. */
  private existingChild(parent: number, name: Buffer): Attr | undefined {
    try {
      return this.meta.lookup(parent, name);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
  }

  async open(ino: number, flags: number): Promise<number> {
    const attr = this.view(this.meta.getattr(ino));
    const writing = canWrite(flags);
    if (attr.kind === 'dir' && writing) throw fsError('EISDIR');
    if (attr.kind === 'symlink') throw fsError('ELOOP');
    if (this.readOnly && (writing || (flags & O_TRUNC))) throw fsError('EROFS');
    return (await this.io.open(attr, flags)).fh;
  }

  read(fh: number, offset: number, length: number): Promise<Buffer> {
    return this.io.read(fh, offset, length);
  }

  readCached(fh: number, offset: number, length: number): Buffer | null {
    return this.io.readCached(fh, offset, length);
  }

  write(fh: number, offset: number, data: Buffer): Promise<number> {
    this.writable();
    return this.io.write(fh, offset, data);
  }

  flush(fh: number): Promise<void> {
    return this.io.flush(fh);
  }

  fsync(fh: number, _datasync: boolean): Promise<void> {
    return this.io.fsync(fh);
  }

  async fsyncdir(_ino: number): Promise<void> {
    if (!this.readOnly) await this.io.syncMetadata();
  }

  release(fh: number): Promise<void> {
    return this.io.release(fh);
  }

  async unlink(parent: number, name: Buffer): Promise<void> {
    this.writable();
    if (isDotName(name)) throw fsError('EISDIR');
    checkName(name);
    const attr = this.meta.unlink(parent, name, this.now());
    if (attr.nlink === 0) await this.io.orphaned(attr.ino);
  }

  async rmdir(parent: number, name: Buffer): Promise<void> {
    this.writable();
    if (isDot(name)) throw fsError('EINVAL');
    if (isDotName(name)) throw fsError('ENOTEMPTY');
    checkName(name);
    const attr = this.meta.lookup(parent, name);
    this.meta.rmdir(parent, name, this.now());
    this.cursors.forget(attr.ino);
  }

  async rename(srcParent: number, srcName: Buffer, dstParent: number, dstName: Buffer, flags: { noreplace?: boolean; exchange?: boolean } = {}): Promise<void> {
    this.writable();
    if (flags.noreplace && flags.exchange) throw fsError('EINVAL', 'RENAME_NOREPLACE with RENAME_EXCHANGE');
    if (isDotName(srcName) || isDotName(dstName)) throw fsError('EBUSY');
    checkName(srcName);
    checkName(dstName);
    const { replaced } = this.meta.rename(srcParent, srcName, dstParent, dstName, flags, this.now());
    if (replaced && replaced.kind === 'dir') {
      this.cursors.forget(replaced.ino);
    } else if (replaced && replaced.nlink === 0) {
      await this.io.orphaned(replaced.ino);
    }
  }

  async link(ino: number, newParent: number, newName: Buffer): Promise<Attr> {
    this.writable();
    if (isDotName(newName)) throw fsError('EEXIST');
    checkName(newName);
    if (this.io.handles.inode(ino)?.orphan) throw fsError('ENOENT', 'the file has been removed');
    return this.view(this.meta.link(ino, newParent, newName, this.now()));
  }

  async symlink(parent: number, name: Buffer, target: Buffer, caller: Caller): Promise<Attr> {
    this.writable();
    if (target.length === 0) throw fsError('ENOENT', 'empty symlink target');
    if (target.length > SYMLINK_MAX) throw fsError('ENAMETOOLONG', 'symlink target too long');
    return this.makeNode(parent, name, 'symlink', 0o777, caller, { target });
  }

  async readlink(ino: number): Promise<Buffer> {
    return this.meta.readlink(ino);
  }

  async getxattr(ino: number, name: string): Promise<Buffer> {
    checkXattrName(name);
    return this.meta.getxattr(ino, name);
  }

  async setxattr(ino: number, name: string, value: Buffer, mode?: 'create' | 'replace'): Promise<void> {
    this.writable();
    checkXattrName(name);
    checkXattrValue(value);
    checkXattrTarget(name, this.meta.getattr(ino).kind);
    this.meta.setxattr(ino, name, value, mode);
  }

  async listxattr(ino: number): Promise<string[]> {
    return this.meta.listxattr(ino);
  }

  async removexattr(ino: number, name: string): Promise<void> {
    this.writable();
    checkXattrName(name);
    this.meta.removexattr(ino, name);
  }

  async statfs(): Promise<StatFs> {
    const stats = this.meta.statfs();
    const used = Math.ceil(stats.objectBytes / STATFS_BLOCK);
    const free = Math.max(0, STATFS_BLOCKS - used);
    const ffree = Math.max(0, STATFS_FILES - stats.files);
    return { bsize: STATFS_BLOCK, frsize: STATFS_BLOCK, blocks: STATFS_BLOCKS, bfree: free, bavail: free, files: STATFS_FILES, ffree, favail: ffree, namemax: 255 };
  }

  async access(ino: number, mask: number, caller: Caller): Promise<void> {
    const attr = this.meta.getattr(ino);
    if ((mask & W_OK) && this.readOnly && ['file', 'dir', 'symlink'].includes(attr.kind)) throw fsError('EROFS');
    checkAccess(attr, mask, caller);
  }

  usage(): { files: number; bytes: number; objects: number; objectBytes: number } {
    return this.meta.statfs();
  }

  stats(): { dirtyBytes: number; uploadedObjects: number; uploadedBytes: number } {
    const up = this.data.uploadStats();
    return { dirtyBytes: this.data.dirtyBytes(), uploadedObjects: up.objects, uploadedBytes: up.bytes };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /**
   * Makes the filesystem read-only from now on (EROFS for every change), e.g. when the
   * mount lost its lease to another: two writers would diverge.
   */
  fence(reason: string): void {
    this.readOnly = true;
    this.fenceReason = reason;
  }

  /** Every step runs even when an earlier one fails (a store that is down must not keep the lease); the first error is thrown. */
  private async shutdown(): Promise<void> {
    const errors: unknown[] = [];
    const step = async (fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    };
    await step(() => this.io.closeAll());
    await step(() => this.data.close()); // flushes every dirty chunk first
    await step(async () => this.opts.onClose?.());
    if (errors.length > 0) throw errors[0];
  }

  /** Creates a node after the name and parent checks, with the setgid-directory inheritance rules. */
  private makeNode(parent: number, name: Buffer, kind: InodeKind, perm: number, caller: Caller, extra: { rdev?: number; target?: Buffer }): Attr {
    if (isDotName(name)) throw fsError('EEXIST');
    checkName(name);
    const dir = this.dirAttr(parent);
    checkAccess(dir, W_OK | X_OK, caller);
    let gid = caller.gid;
    if (dir.perm & S_ISGID) {
      gid = dir.gid;
      if (kind === 'dir') perm |= S_ISGID;
    }
    return this.meta.mknod(parent, name, { kind, perm, uid: caller.uid, gid, nowMs: this.now(), ...extra });
  }

  private checkSetattr(attr: Attr, changes: SetAttr, caller: Caller, fh: number | undefined): void {
    if (changes.perm !== undefined) checkOwner(attr, caller);
    if (changes.uid !== undefined || changes.gid !== undefined) checkChown(attr, caller, changes.uid, changes.gid);
    for (const time of [changes.atimeMs, changes.mtimeMs]) {
      if (time === undefined) continue;
      if (time !== 'now') checkOwner(attr, caller);
      else if (!isRoot(caller) && caller.uid !== attr.uid) checkAccess(attr, W_OK, caller);
    }
    if (changes.size !== undefined && fh === undefined) checkAccess(attr, W_OK, caller);
  }

  private writable(): void {
    if (this.readOnly) throw fsError('EROFS', this.fenceReason);
  }

  /** The attributes of a directory; ENOTDIR when `ino` is something else. */
  private dirAttr(ino: number): Attr {
    const attr = this.meta.getattr(ino);
    if (attr.kind !== 'dir') throw fsError('ENOTDIR');
    return attr;
  }

  /** The name of the `count`-th entry (1-based) of `dir`: the cursor for offset 2 + count. Undefined past the end. */
  private skip(dir: number, count: number): Buffer | undefined {
    let after: Buffer | null = null;
    let left = count;
    while (left > 0) {
      const page = this.meta.readdir(dir, after, Math.min(left, 1000));
      if (page.length === 0) return undefined;
      after = page[page.length - 1]!.name;
      left -= page.length;
    }
    return after ?? undefined;
  }

  private view(attr: Attr): Attr {
    return this.io.handles.overlay(attr);
  }
}

/** A vfs over `meta` and `data`. */
export function createVfs(meta: Metadata, data: FileData, opts: VfsOptions = {}): Vfs {
  return new ChunkVfs(meta, data, opts);
}
