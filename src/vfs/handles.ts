import { fsError } from '../errors.js';
import type { Attr } from '../metadata/types.js';

/**
 * What the vfs keeps in memory for an inode with open handles. The size lives here while
 * the file is open (writes extend it, getattr reports it) and reaches the metadata at
 * flush, fsync and release, not at every write.
 */
export interface OpenInode {
  ino: number;
  /** The file's current size, ahead of the metadata's while `dirty`. */
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  /** Size or times changed since they were last committed. */
  dirty: boolean;
  /** Open handles of this inode. */
  handles: number;
  /** The inode lost its last name while open; it is destroyed at the last release. */
  orphan: boolean;
}

/** One open(2): a numbered handle of an inode. */
export interface Handle {
  fh: number;
  ino: number;
  flags: number;
  readable: boolean;
  writable: boolean;
  append: boolean;
  /** The inode is a directory (reads and writes are EISDIR). */
  dir: boolean;
  /** Written through since this handle last flushed. */
  wrote: boolean;
}

/** The table of open handles and open inodes. Handle numbers start at 1 and are not reused while the table lives. */
export class HandleTable {
  private readonly handles = new Map<number, Handle>();
  private readonly inodes = new Map<number, OpenInode>();
  private nextFh = 1;

  /** Opens a handle of `attr`'s inode; the first handle loads the inode's open state from `attr`. */
  open(attr: Attr, flags: number, access: { readable: boolean; writable: boolean; append: boolean }): Handle {
    let state = this.inodes.get(attr.ino);
    if (!state) {
      state = { ino: attr.ino, size: attr.size, mtimeMs: attr.mtimeMs, ctimeMs: attr.ctimeMs, dirty: false, handles: 0, orphan: false };
      this.inodes.set(attr.ino, state);
    }
    state.handles++;
    const handle: Handle = { fh: this.nextFh++, ino: attr.ino, flags, ...access, dir: attr.kind === 'dir', wrote: false };
    this.handles.set(handle.fh, handle);
    return handle;
  }

  /** The handle `fh`; EBADF when unknown. */
  get(fh: number): Handle {
    const handle = this.handles.get(fh);
    if (!handle) throw fsError('EBADF', `no open handle ${fh}`);
    return handle;
  }

  /** The handle `fh`, or undefined when unknown. */
  find(fh: number): Handle | undefined {
    return this.handles.get(fh);
  }

  /** The open state of `ino`, or undefined when nothing has it open. */
  inode(ino: number): OpenInode | undefined {
    return this.inodes.get(ino);
  }

  /** The open state of a handle's inode (present while the handle is). */
  stateOf(handle: Handle): OpenInode {
    return this.inodes.get(handle.ino)!;
  }

  /**
   * Closes handle `fh`. Returns the inode's open state when this was its last handle (the
   * state is then forgotten), else undefined.
   */
  close(fh: number): OpenInode | undefined {
    const handle = this.get(fh);
    this.handles.delete(fh);
    const state = this.inodes.get(handle.ino)!;
    state.handles--;
    if (state.handles > 0) return undefined;
    this.inodes.delete(handle.ino);
    return state;
  }

  allHandles(): number[] {
    return [...this.handles.keys()];
  }

  allInodes(): OpenInode[] {
    return [...this.inodes.values()];
  }

  /**
   * The attributes as the vfs reports them: an open inode's size, and its times while
   * they are ahead of the metadata's, over the metadata's.
   */
  overlay(attr: Attr): Attr {
    const state = this.inodes.get(attr.ino);
    if (!state) return attr;
    if (!state.dirty) return { ...attr, size: state.size };
    return { ...attr, size: state.size, mtimeMs: state.mtimeMs, ctimeMs: Math.max(state.ctimeMs, attr.ctimeMs) };
  }
}
