import { CorruptChunk } from '../errors.js';
import type { ChunkRef } from '../metadata/types.js';
import type { ObjectStore } from '../store/types.js';
import type { ChunkBufferPool } from './buffer-pool.js';
import type { CleanCache } from './cache.js';
import { xxh64HexYielding } from './checksum.js';
import { objectKey } from './keys.js';
import { SingleFlight } from './single-flight.js';

/**
 * Gets a chunk's bytes by its ChunkRef: from the clean cache, else one GET shared by every
 * concurrent reader of the same object (single-flight). Every download is checked against
 * the ref's length and xxh64 (DESIGN invariant 5): a mismatch throws CorruptChunk and logs
 * one line; wrong bytes are never returned nor cached.
 */
export class Fetcher {
  private readonly flights = new SingleFlight<Buffer>();

  constructor(
    private readonly store: ObjectStore,
    private readonly cache: CleanCache,
    /** Where downloads are read into (the cache gives its buffers back to it). */
    private readonly pool?: ChunkBufferPool,
  ) {}

  /** The chunk's bytes (shared: do not modify, copy out before the event loop turns; see CleanCache). `ino` only labels the log line. */
  fetch(ino: number, ref: ChunkRef): Promise<Buffer> {
    return this.flights.run(ref.objectId, async () => (await this.cache.get(ref)) ?? this.download(ino, ref));
  }

  private async download(ino: number, ref: ChunkRef): Promise<Buffer> {
    const data = await this.store.get(objectKey(ref.objectId), this.pool?.take);
    const problem = await verify(data, ref);
    if (problem) {
      console.error(`chunkfs: corrupt chunk ino=${ino} idx=${ref.idx} object=${ref.objectId}: ${problem}`);
      throw new CorruptChunk(ref.objectId, problem);
    }
    this.cache.put(ref.objectId, data);
    return data;
  }
}

/** Why `data` is not the object `ref` describes, or null when it is. */
async function verify(data: Buffer, ref: ChunkRef): Promise<string | null> {
  if (data.length !== ref.len) return `length ${data.length}, expected ${ref.len}`;
  const sum = await xxh64HexYielding(data);
  if (sum !== ref.xxh64) return `xxh64 ${sum}, expected ${ref.xxh64}`;
  return null;
}
