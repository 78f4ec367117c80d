import { createRequire } from 'node:module';
import { isDotName } from '../vfs/names.js';
import type { FuseStat } from './attr.js';
import { builtAddon } from './binding.js';

/** The functions `native/listed-attrs-c.ts` adds to fuse-native's addon. */
export interface ListedBinding {
  chunkfs_listed_fill(paths: Buffer, stats: Buffer, count: number, maxAgeMs: number): void;
  chunkfs_listed_clear(): void;
  chunkfs_listed_answered(): number;
}

/** fuse-native's stat record: 18 unsigned 32-bit integers (its index.js, getStatArray). */
const STAT_INTS = 18;
const TWO_32 = 4294967296;

/**
 * The last listing's attributes, handed to the addon, which answers the lookups that follow
 * in libfuse's thread without waking JavaScript (`native/listed-attrs-c.ts`). Same rules as
 * `ListedAttrs`: each entry answers once, `clear()` at any operation that may change
 * attributes, dropped after `maxAgeMs` without an answer.
 */
export class NativeListedAttrs {
  /** True while the addon may hold entries: clear() then has something to drop. */
  private filled = false;

  constructor(
    private readonly binding: ListedBinding,
    private readonly maxAgeMs: number,
  ) {}

  /** Replaces the table with the entries of `dir` (raw names, as the kernel will ask for them; `.` and `..` left out). */
  fill(dir: string, listing: readonly { raw: Buffer; stat: FuseStat }[]): void {
    if (this.maxAgeMs <= 0) return;
    const entries = listing.filter((e) => !isDotName(e.raw));
    const prefix = Buffer.from(dir === '/' ? '/' : `${dir}/`, 'utf8');
    let bytes = 0;
    for (const e of entries) bytes += prefix.length + e.raw.length + 1;
    const paths = Buffer.allocUnsafe(bytes);
    const stats = new Uint32Array(entries.length * STAT_INTS);
    let at = 0;
    entries.forEach((e, i) => {
      at += prefix.copy(paths, at);
      at += e.raw.copy(paths, at);
      paths[at++] = 0;
      packStat(stats, i * STAT_INTS, e.stat);
    });
    this.binding.chunkfs_listed_fill(paths, Buffer.from(stats.buffer), entries.length, Math.ceil(this.maxAgeMs));
    this.filled = entries.length > 0;
  }

  clear(): void {
    if (!this.filled) return;
    this.filled = false;
    this.binding.chunkfs_listed_clear();
  }

  /** Lookups answered by the addon since it was loaded. */
  answered(): number {
    return this.binding.chunkfs_listed_answered();
  }
}

/** The same integers fuse-native's getStatArray makes of a stat object. */
function packStat(ints: Uint32Array, at: number, s: FuseStat): void {
  ints[at] = s.mode;
  ints[at + 1] = s.uid;
  ints[at + 2] = s.gid;
  setDouble(ints, at + 3, s.size);
  ints[at + 5] = 0; // dev
  ints[at + 6] = s.nlink || 1;
  ints[at + 7] = s.ino;
  ints[at + 8] = s.rdev;
  ints[at + 9] = s.blksize;
  setDouble(ints, at + 10, s.blocks);
  setDouble(ints, at + 12, s.atime);
  setDouble(ints, at + 14, s.mtime);
  setDouble(ints, at + 16, s.ctime);
}

function setDouble(ints: Uint32Array, at: number, n: number): void {
  ints[at] = n % TWO_32;
  ints[at + 1] = (n - ints[at]!) / TWO_32;
}

/**
 * The addon's listed-attributes functions, when fuse-native runs the addon that
 * `native/build.ts` built with them; null otherwise (the JavaScript table serves).
 */
export function loadListedBinding(): ListedBinding | null {
  const built = builtAddon();
  if (!built?.fixes.includes('listed attrs')) return null;
  try {
    // The module fuse-native itself loads (node-gyp-build prefers build/Release).
    const addon = createRequire(import.meta.url)(built.path) as Partial<ListedBinding>;
    return typeof addon.chunkfs_listed_fill === 'function' ? (addon as ListedBinding) : null;
  } catch {
    return null;
  }
}
