import { fsError } from '../errors.js';
import type { FileData } from '../chunker/types.js';
import type { Attr, Metadata } from '../metadata/types.js';
import { checkOffset, isValidOffset, translating } from './errno.js';
import { MAX_FILE_SIZE, O_APPEND, O_TRUNC, canRead, canWrite } from './flags.js';
import { HandleTable, type Handle, type OpenInode } from './handles.js';
import { KeyedMutex } from './mutex.js';

/**
 * Open files: numbered handles, the in-memory size of open inodes, reads and writes
 * through the chunk layer, and the durability rules of flush, fsync and release
 * (DESIGN invariant 4), and the end of unlinked-but-open inodes (invariant 9).
 *
 * Lock order: the per-inode mutex is taken by writes and truncates only; metadata calls
 * are synchronous and never wait on it.
 */
export class FileIo {
  readonly handles = new HandleTable();
  private readonly locks = new KeyedMutex<number>();

  constructor(
    private readonly meta: Metadata,
    private readonly data: FileData,
    private readonly writeback: boolean,
    private readonly now: () => number,
  ) {}

  /** Opens `attr`'s inode (already checked for kind and read-only rules); O_TRUNC cuts a regular file to 0. */
  async open(attr: Attr, flags: number): Promise<Handle> {
    const writable = canWrite(flags);
    const handle = this.handles.open(attr, flags, { readable: canRead(flags), writable, append: (flags & O_APPEND) !== 0 });
    if ((flags & O_TRUNC) && writable && attr.kind === 'file') {
      try {
        await this.truncate(attr.ino, 0);
      } catch (err) {
        await this.release(handle.fh);
        throw err;
      }
    }
    return handle;
  }

  async read(fh: number, offset: number, length: number): Promise<Buffer> {
    const handle = this.handles.get(fh);
    if (handle.dir) throw fsError('EISDIR');
    if (!handle.readable) throw fsError('EBADF', 'handle not open for reading');
    checkOffset(offset);
    const state = this.handles.stateOf(handle);
    if (offset >= state.size || length <= 0) return Buffer.alloc(0);
    return translating(() => this.data.read(handle.ino, state.size, offset, length));
  }

  /** `read` answered from memory without waiting, or null when `read` must run (also for every error). */
  readCached(fh: number, offset: number, length: number): Buffer | null {
    const handle = this.handles.find(fh);
    if (!handle || handle.dir || !handle.readable || !isValidOffset(offset)) return null;
    return this.data.readCached(handle.ino, this.handles.stateOf(handle).size, offset, length);
  }

  async write(fh: number, offset: number, buf: Buffer): Promise<number> {
    const handle = this.handles.get(fh);
    if (handle.dir) throw fsError('EISDIR');
    if (!handle.writable) throw fsError('EBADF', 'handle not open for writing');
    checkOffset(offset);
    return this.locks.run(handle.ino, async () => {
      const state = this.handles.stateOf(handle);
      const at = handle.append ? state.size : offset;
      if (at + buf.length > MAX_FILE_SIZE) throw fsError('EFBIG', `file size limit is ${MAX_FILE_SIZE} bytes`);
      if (buf.length === 0) return 0;
      await translating(() => this.data.write(handle.ino, at, buf));
      const now = this.now();
      state.size = Math.max(state.size, at + buf.length);
      state.mtimeMs = now;
      state.ctimeMs = now;
      state.dirty = true;
      handle.wrote = true;
      return buf.length;
    });
  }

  /**
   * Sets the size of a regular file: the chunk layer cuts its cache, then the metadata
   * takes the size (retiring chunks past it) with new mtime and ctime.
   */
  async truncate(ino: number, size: number): Promise<Attr> {
    checkOffset(size);
    if (size > MAX_FILE_SIZE) throw fsError('EFBIG', `file size limit is ${MAX_FILE_SIZE} bytes`);
    return this.locks.run(ino, async () => {
      const state = this.handles.inode(ino);
      const oldSize = state ? state.size : this.meta.getattr(ino).size;
      await translating(() => this.data.truncate(ino, oldSize, size));
      const now = this.now();
      const attr = this.meta.setattr(ino, { size, mtimeMs: now, ctimeMs: now });
      if (state) {
        state.size = size;
        state.mtimeMs = attr.mtimeMs;
        state.ctimeMs = attr.ctimeMs;
        state.dirty = false;
      }
      return attr;
    });
  }

  /** close(2) of one descriptor: durable unless writeback mode, where the journal suffices. */
  async flush(fh: number): Promise<void> {
    const handle = this.handles.get(fh);
    await this.persist(handle, this.writeback ? 'journal' : 'upload');
  }

  /** Durable on return in every mode: data uploaded, size committed. */
  async fsync(fh: number): Promise<void> {
    const handle = this.handles.get(fh);
    const state = this.handles.stateOf(handle);
    if (state.orphan) return;
    await translating(() => this.data.flush(handle.ino));
    this.commitSize(state);
    await this.syncMetadata();
    handle.wrote = false;
  }

  /** Syncs the metadata, after the journal's removals: see FileData.syncJournal. */
  async syncMetadata(): Promise<void> {
    await translating(() => this.data.syncJournal());
    this.meta.sync();
  }

  /** The last close of a handle: persists what it wrote; the last handle of an orphan destroys it. */
  async release(fh: number): Promise<void> {
    const handle = this.handles.get(fh);
    try {
      await this.persist(handle, this.writeback ? 'journal' : 'upload');
    } finally {
      const last = this.handles.close(fh);
      if (last) await this.lastClose(last);
    }
  }

  /** Marks an inode that lost its last name: destroyed now, or at its last release when open. */
  async orphaned(ino: number): Promise<void> {
    const state = this.handles.inode(ino);
    if (state) state.orphan = true;
    else await this.destroy(ino);
  }

  /** Closes every handle (persisting what they wrote), for unmount. */
  async closeAll(): Promise<void> {
    let firstError: unknown;
    for (const fh of this.handles.allHandles()) {
      try {
        await this.release(fh);
      } catch (err) {
        firstError ??= err;
      }
    }
    if (firstError !== undefined) throw firstError;
  }

  private async persist(handle: Handle, how: 'journal' | 'upload'): Promise<void> {
    const state = this.handles.stateOf(handle);
    if (state.orphan || (!handle.wrote && !state.dirty)) return;
    if (how === 'journal') {
      // As durable as a local filesystem's close: the journal and the metadata survive a
      // daemon crash (the page cache outlives it); fsync is what survives a power cut.
      if (handle.wrote) await translating(() => this.data.journal(handle.ino));
      // After a crash, recovery raises the size to the journaled chunks' end.
      this.commitSize(state);
    } else {
      if (handle.wrote) await translating(() => this.data.flush(handle.ino));
      this.commitSize(state);
      await this.syncMetadata();
    }
    handle.wrote = false;
  }

  /** Commits the open inode's size and times, once its data is where the mode requires. */
  private commitSize(state: OpenInode): void {
    if (!state.dirty || state.orphan) return;
    this.meta.setattr(state.ino, { size: state.size, mtimeMs: state.mtimeMs, ctimeMs: state.ctimeMs });
    state.dirty = false;
  }

  private async lastClose(state: OpenInode): Promise<void> {
    if (state.orphan) await this.destroy(state.ino);
    else this.commitSize(state);
  }

  private async destroy(ino: number): Promise<void> {
    await this.data.drop(ino);
    this.meta.destroyInode(ino);
  }
}
