import { FsError } from '../errors.js';
import type { Attr, Vfs } from '../vfs/types.js';
import { listedPaths } from './listed-attrs.js';

export const ROOT_INO = 1;

/** A FUSE path split into its parent path and last name. `/` has no parent. */
export function splitPath(path: string): { parent: string; name: Buffer } {
  const slash = path.lastIndexOf('/');
  if (slash < 0 || path === '/') throw new FsError('EINVAL', `no parent of ${path}`);
  return { parent: slash === 0 ? '/' : path.slice(0, slash), name: Buffer.from(path.slice(slash + 1), 'utf8') };
}

interface Entry {
  ino: number;
  isDir: boolean;
}

/**
 * Resolves absolute FUSE paths to inode numbers through `Vfs.lookup`, caching every path
 * it resolves. All namespace changes of a mount go through this process (one writable
 * mount per filesystem), so the cache stays right as long as each namespace operation
 * tells it what changed: `added` after create/mkdir/link/symlink/mknod, `removed` after
 * unlink/rmdir, `renamed` after rename. Failed lookups are never cached.
 */
export class PathCache {
  private readonly map = new Map<string, Entry>();
  /**
   * Counts the changes that may make a cached name wrong (a removal, a rename, a clear). A
   * lookup or listing that read the namespace before one of them does not cache what it read.
   */
  private removals = 0;

  constructor(private readonly vfs: Pick<Vfs, 'lookup'>, private readonly maxEntries = 200_000) {
    this.map.set('/', { ino: ROOT_INO, isDir: true });
  }

  get size(): number {
    return this.map.size;
  }

  /** The cached inode of `path`, without asking the vfs. */
  peek(path: string): number | undefined {
    return this.map.get(path)?.ino;
  }

  /** The inode of `path`; rejects with the lookup's FsError (ENOENT, ENOTDIR, ...). */
  async resolve(path: string): Promise<number> {
    const hit = this.map.get(path);
    if (hit) return hit.ino;
    return (await this.lookUp(path)).ino;
  }

  /**
   * The inode of `path`, with its attributes when resolving it took a lookup (which
   * returns them): a getattr of a path not cached then needs no second query.
   */
  async resolveWithAttr(path: string): Promise<{ ino: number; attr?: Attr }> {
    const hit = this.map.get(path);
    if (hit) return { ino: hit.ino };
    const attr = await this.lookUp(path);
    return { ino: attr.ino, attr };
  }

  /** Where the namespace stands now: give it to `addListing` for a listing read from here on. */
  get mark(): number {
    return this.removals;
  }

  /**
   * Caches the names a directory listing returned: `ls -l` looks each one up right after
   * listing, and then finds it here. `since` is the `mark` from before the listing was read.
   */
  addListing(dir: string, entries: Iterable<{ name: string; attr: Attr }>, since: number): void {
    if (since !== this.removals) return;
    for (const [path, attr] of listedPaths(dir, entries)) this.set(path, attr.ino, attr.kind === 'dir');
  }

  private async lookUp(path: string): Promise<Attr> {
    const { parent, name } = splitPath(path);
    const parentIno = await this.resolve(parent);
    const since = this.removals;
    const attr = await this.vfs.lookup(parentIno, name);
    if (since === this.removals) this.set(path, attr.ino, attr.kind === 'dir');
    return attr;
  }

  /** The parent directory's inode and the last name of `path`. */
  async resolveParent(path: string): Promise<{ parent: number; name: Buffer }> {
    const { parent, name } = splitPath(path);
    return { parent: await this.resolve(parent), name };
  }

  /** A new name now points at `ino`. */
  added(path: string, ino: number, isDir: boolean): void {
    this.set(path, ino, isDir);
  }

  /** The name is gone (unlink, rmdir); everything cached under it goes too. */
  removed(path: string): void {
    this.removals++;
    this.forgetTree(path);
  }

  /** `src` moved to `dst`, replacing whatever `dst` named. */
  renamed(src: string, dst: string): void {
    this.removals++;
    const moved = this.map.get(src);
    this.forgetTree(src);
    this.forgetTree(dst);
    if (moved) this.set(dst, moved.ino, moved.isDir);
  }

  /** Forgets everything but the root (e.g. after an error left the cache in doubt). */
  clear(): void {
    this.removals++;
    this.map.clear();
    this.map.set('/', { ino: ROOT_INO, isDir: true });
  }

  private set(path: string, ino: number, isDir: boolean): void {
    // A full cache starts over rather than track recency: resolving again is cheap.
    if (this.map.size >= this.maxEntries) this.clear();
    this.map.set(path, { ino, isDir });
  }

  private forgetTree(path: string): void {
    const entry = this.map.get(path);
    this.map.delete(path);
    // Only a directory has cached descendants. An unknown entry may still be a directory
    // whose children were cached before the entry itself was evicted, so scan then too.
    if (entry && !entry.isDir) return;
    const prefix = `${path}/`;
    for (const key of this.map.keys()) if (key.startsWith(prefix)) this.map.delete(key);
  }
}
