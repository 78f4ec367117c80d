/**
 * Stable readdir offsets. Offset 0 is `.`, 1 is `..`, and offset 2 + k is the k-th entry
 * in name order. A reader continues at the offset it was given last, so each answer
 * remembers, for the offset after its last entry, the name that entry had: the next call
 * continues after that name (Metadata.readdir's `after` cursor), whatever was added or
 * removed in between. A forgotten offset (evicted, or never handed out) falls back to
 * counting from the start.
 *
 * Memory is bounded: at most `maxDirs` directories, each remembering at most
 * `maxPerDir` offsets (the oldest are dropped first).
 */
export class ReaddirCursors {
  private readonly dirs = new Map<number, Map<number, Buffer>>();

  constructor(private readonly maxDirs = 256, private readonly maxPerDir = 4096) {}

  /** The name after which entries at `offset` continue, or undefined when unknown. */
  get(dir: number, offset: number): Buffer | undefined {
    const cursors = this.dirs.get(dir);
    if (!cursors) return undefined;
    // Most recently used directories last (Map keeps insertion order).
    this.dirs.delete(dir);
    this.dirs.set(dir, cursors);
    return cursors.get(offset);
  }

  /** Remembers that entries at `offset` continue after `name`. */
  set(dir: number, offset: number, name: Buffer): void {
    let cursors = this.dirs.get(dir);
    if (!cursors) {
      cursors = new Map();
      if (this.dirs.size >= this.maxDirs) this.dirs.delete(this.dirs.keys().next().value!);
    } else {
      this.dirs.delete(dir);
    }
    this.dirs.set(dir, cursors);
    cursors.delete(offset);
    cursors.set(offset, name);
    if (cursors.size > this.maxPerDir) cursors.delete(cursors.keys().next().value!);
  }

  /** Forgets a removed directory. */
  forget(dir: number): void {
    this.dirs.delete(dir);
  }
}
