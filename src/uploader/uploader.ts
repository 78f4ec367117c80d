import PQueue from 'p-queue';
import type { ChunkUpdate } from '../metadata/types.js';
import type { ObjectStore } from '../store/types.js';
import { xxh64HexYielding } from '../chunker/checksum.js';
import { newObjectId, objectKey } from '../chunker/keys.js';
import { isAllZero } from '../chunker/zero.js';
import type { ChunkMap } from '../chunker/types.js';

export interface UploaderOptions {
  chunkSize: number;
  /** Parallel uploads; with one chunk per upload this also bounds the bytes in flight. */
  concurrency: number;
}

/**
 * Uploads chunk versions: for each, PUT a new object under a fresh id, then point
 * (ino, idx) at it in one metadata commit, which retires the object it replaces (DESIGN
 * invariants 1 and 2: data before metadata, ids never reused). An all-zero chunk costs no
 * object: it is committed as a hole. Retrying is the store wrapper's job; a failure here is final
 * for this attempt and leaves the metadata untouched.
 */
export class Uploader {
  private readonly queue: PQueue;
  private objects = 0;
  private bytes = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly chunkMap: ChunkMap,
    private readonly opts: UploaderOptions,
  ) {
    this.queue = new PQueue({ concurrency: Math.max(1, opts.concurrency) });
  }

  /**
   * Uploads and commits `data` as chunk `idx` of `ino` (`data` must not change until this
   * settles) and raises the file size to at least the chunk's end. Resolves with the update
   * committed.
   */
  upload(ino: number, idx: number, data: Buffer): Promise<ChunkUpdate> {
    return this.queue.add(() => this.run(ino, idx, data), { throwOnTimeout: true });
  }

  /** Objects and bytes PUT since open. */
  stats(): { objects: number; bytes: number } {
    return { objects: this.objects, bytes: this.bytes };
  }

  /** Uploads queued or running. */
  get pending(): number {
    return this.queue.size + this.queue.pending;
  }

  async idle(): Promise<void> {
    await this.queue.onIdle();
  }

  private async run(ino: number, idx: number, data: Buffer): Promise<ChunkUpdate> {
    const sizeAtLeast = idx * this.opts.chunkSize + data.length;
    if (isAllZero(data)) {
      const hole: ChunkUpdate = { idx, objectId: null };
      this.chunkMap.commitChunks(ino, [hole], sizeAtLeast);
      return hole;
    }
    const ref: ChunkUpdate = { idx, objectId: newObjectId(), len: data.length, xxh64: await xxh64HexYielding(data) };
    await this.store.put(objectKey(ref.objectId), data);
    this.objects++;
    this.bytes += data.length;
    this.chunkMap.commitChunks(ino, [ref], sizeAtLeast);
    return ref;
  }
}
