import { FsError } from '../errors.js';

/**
 * FUSE file handles → the vfs's handles. fuse-native treats a handle of 0 as "none", so
 * FUSE sees its own numbers starting at 1; each also remembers its inode, which fgetattr
 * needs (an open file may have no name left).
 */
export class HandleTable {
  private next = 1;
  private readonly map = new Map<number, { fh: number; ino: number }>();

  get size(): number {
    return this.map.size;
  }

  add(fh: number, ino: number): number {
    let id = this.next;
    while (this.map.has(id)) id = id >= 0x7fffffff ? 1 : id + 1;
    this.next = id >= 0x7fffffff ? 1 : id + 1;
    this.map.set(id, { fh, ino });
    return id;
  }

  /** The vfs handle and inode of a FUSE handle; EBADF when unknown. */
  get(id: number): { fh: number; ino: number } {
    const h = this.map.get(id);
    if (!h) throw new FsError('EBADF', `no open handle ${id}`);
    return h;
  }

  /** `get` without the error: undefined when unknown. */
  find(id: number): { fh: number; ino: number } | undefined {
    return this.map.get(id);
  }

  delete(id: number): void {
    this.map.delete(id);
  }
}
