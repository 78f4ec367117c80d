import type { Attr } from '../vfs/types.js';

/** Entries remembered from one listing at most: a bigger directory keeps its first ones. */
const MAX_ENTRIES = 100_000;

/**
 * Attributes that the last directory listing returned, for the lookups that follow it:
 * `ls -l` lists, then asks for every name, and libfuse 2 cannot hand the attributes to
 * the kernel with the listing (no readdirplus). Each is answered once, and all are dropped
 * at any operation that may change attributes, so an answer is as exact as a fresh read.
 * The listing is also dropped once no lookup used it for `maxAgeMs` (at most the kernel's
 * attribute cache time): a listing's lookups follow it without pause, and a big directory's
 * take longer than a second, so the age counts from the last answer, not from the listing.
 */
export class ListedAttrs {
  private readonly byPath = new Map<string, Attr>();
  /** When the listing was made or last answered a lookup. */
  private listedAt = 0;

  constructor(
    private readonly maxAgeMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Remembers a listing of `dir` (replacing the previous one). */
  fill(dir: string, entries: Iterable<{ name: string; attr: Attr }>): void {
    this.byPath.clear();
    if (this.maxAgeMs <= 0) return;
    this.listedAt = this.now();
    for (const [path, attr] of listedPaths(dir, entries)) {
      if (this.byPath.size >= MAX_ENTRIES) break;
      this.byPath.set(path, attr);
    }
  }

  /** The listed attributes of `path`, once, if the listing or its last answer is recent enough. */
  take(path: string): Attr | undefined {
    if (this.byPath.size === 0) return undefined;
    if (this.now() - this.listedAt > this.maxAgeMs) {
      this.byPath.clear();
      return undefined;
    }
    const attr = this.byPath.get(path);
    if (attr) {
      this.byPath.delete(path);
      this.listedAt = this.now();
    }
    return attr;
  }

  clear(): void {
    if (this.byPath.size) this.byPath.clear();
  }
}

/** The full path and attributes of each entry of a listing of `dir`, `.` and `..` left out. */
export function* listedPaths(dir: string, entries: Iterable<{ name: string; attr: Attr }>): Generator<[string, Attr]> {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  for (const e of entries) if (e.name !== '.' && e.name !== '..') yield [prefix + e.name, e.attr];
}
