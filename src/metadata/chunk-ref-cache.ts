import type { ChunkRef } from './types.js';

/**
 * Chunk refs read lately, by inode: a sequential reader asks for one chunk's ref once per
 * 128 KiB read, 32 times per 4 MiB chunk, and a Map costs a fraction of an SQLite query.
 * `null` records a hole. The owner forgets an inode whenever its chunk rows change, so an
 * entry is never stale; past `maxEntries` everything is dropped (the cache only saves time).
 */
export class ChunkRefCache {
  private readonly byIno = new Map<number, Map<number, ChunkRef | null>>();
  private entries = 0;

  constructor(private readonly maxEntries = 65_536) {}

  /** The ref (or null for a hole) when known; undefined when it must be read. */
  get(ino: number, idx: number): ChunkRef | null | undefined {
    return this.byIno.get(ino)?.get(idx);
  }

  set(ino: number, idx: number, ref: ChunkRef | null): void {
    if (this.entries >= this.maxEntries) this.clear();
    let refs = this.byIno.get(ino);
    if (!refs) this.byIno.set(ino, (refs = new Map()));
    if (!refs.has(idx)) this.entries++;
    refs.set(idx, ref);
  }

  forget(ino: number): void {
    const refs = this.byIno.get(ino);
    if (!refs) return;
    this.entries -= refs.size;
    this.byIno.delete(ino);
  }

  clear(): void {
    this.byIno.clear();
    this.entries = 0;
  }
}
