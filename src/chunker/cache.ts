import { join } from 'node:path';
import type { ChunkRef } from '../metadata/types.js';
import type { ChunkBufferPool } from './buffer-pool.js';
import { xxh64HexYielding } from './checksum.js';
import { DiskCache } from './disk-cache.js';
import { ByteLru } from './lru.js';

export interface CleanCacheOptions {
  /** Root cache directory; clean chunks live in `<cacheDir>/clean`. */
  cacheDir: string;
  /** Bytes on disk; 0 disables the disk tier. */
  diskBytes: number;
  /** Bytes in memory. */
  memBytes: number;
  /** Where disk entries are read into, and what memory gives its entries back to once nobody reads them. */
  pool?: ChunkBufferPool;
}

/**
 * Clean chunks keyed by object id, in two LRU tiers: memory, then local disk. Objects are
 * immutable and ids never reused, so an entry can never be stale; disk entries are still
 * checked against the chunk's length and xxh64 because a disk can lose or tear files.
 * Buffers handed out are shared: callers must not modify them, and must copy what they
 * need before the event loop turns (no I/O awaited in between): a buffer memory let go
 * of goes back to the pool and is reused from the next turn on.
 */
export class CleanCache {
  private readonly mem: ByteLru<Buffer>;
  private readonly disk: DiskCache | null;
  /** Entries in memory that do not go to disk when memory lets go of them. */
  private readonly memoryOnly = new Set<string>();
  private readonly pool: ChunkBufferPool | null;

  constructor(opts: CleanCacheOptions) {
    this.pool = opts.pool ?? null;
    // The disk tier takes what memory lets go of: a chunk written and read back while in
    // memory never costs a file of its own.
    this.mem = new ByteLru<Buffer>(opts.memBytes, (id, data) => {
      const giveBack = (): void => this.pool?.give(data);
      if (this.memoryOnly.delete(id) || !this.disk) giveBack();
      else this.disk.put(id, data, giveBack);
    });
    this.disk = opts.diskBytes > 0 ? new DiskCache(join(opts.cacheDir, 'clean'), opts.diskBytes) : null;
  }

  /** The chunk's bytes from memory or disk, or null on a miss. */
  async get(ref: ChunkRef): Promise<Buffer | null> {
    const hit = this.mem.get(ref.objectId);
    if (hit) return hit;
    if (!this.disk) return null;
    const data = await this.disk.get(ref.objectId, this.pool?.take);
    if (!data) return null;
    if (data.length !== ref.len || (await xxh64HexYielding(data)) !== ref.xxh64) {
      this.disk.remove(ref.objectId);
      return null;
    }
    this.mem.set(ref.objectId, data, data.length);
    return data;
  }

  /** The chunk's bytes when memory holds them (marked recently used), else null: no I/O. */
  peek(objectId: string): Buffer | null {
    return this.mem.get(objectId) ?? null;
  }

  /** Lets memory give the chunk up before others: a sequential reader has passed it. */
  demote(objectId: string): void {
    this.mem.demote(objectId);
  }

  /** True when the object is cached in either tier (no I/O). */
  has(objectId: string): boolean {
    return this.mem.has(objectId) || (this.disk?.has(objectId) ?? false);
  }

  /**
   * Caches verified bytes of an object; the caller gives up the right to modify `data`.
   * With `toDisk` false they are kept in memory only, and dropped when memory lets go of them.
   */
  put(objectId: string, data: Buffer, toDisk = true): void {
    this.memoryOnly.delete(objectId);
    if (this.mem.set(objectId, data, data.length)) {
      if (!toDisk) this.memoryOnly.add(objectId);
    } else if (toDisk) this.disk?.put(objectId, data);
  }

  /** Writes what only memory holds to the disk tier (at close, so a remount finds it). */
  spill(): void {
    if (!this.disk) return;
    for (const [id, data] of this.mem.all()) if (!this.memoryOnly.has(id)) this.disk.put(id, data);
  }

  /** Forgets an object no longer referenced (its file was cut or destroyed); it would only age out otherwise. */
  forget(objectId: string): void {
    this.memoryOnly.delete(objectId);
    this.mem.delete(objectId);
    this.disk?.remove(objectId);
  }

  /** Bytes held per tier. */
  stats(): { memBytes: number; diskBytes: number } {
    return { memBytes: this.mem.bytes, diskBytes: this.disk?.bytes ?? 0 };
  }

  /** Waits for background disk writes (call `spill` first to include what memory holds). */
  async settled(): Promise<void> {
    await this.disk?.settled();
  }
}
