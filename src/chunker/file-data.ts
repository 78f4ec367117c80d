import { join } from 'node:path';
import { FsError } from '../errors.js';
import type { ChunkRef, ChunkUpdate } from '../metadata/types.js';
import type { ObjectStore } from '../store/types.js';
import { Uploader } from '../uploader/uploader.js';
import { Writeback } from '../uploader/writeback.js';
import { MemoryBudget } from './budget.js';
import { ChunkBufferPool } from './buffer-pool.js';
import { CleanCache } from './cache.js';
import { initChecksum } from './checksum.js';
import { bufferWith, capacityFor, DirtyChunk, DirtyTable } from './dirty.js';
import { Fetcher } from './fetch.js';
import { Journal } from './journal.js';
import { chunkCount, chunkIndex, chunkSpans, chunkStart } from './math.js';
import { Readahead } from './readahead.js';
import { recoverJournal } from './recover.js';
import type { ChunkMap, FileData, FileDataOptions } from './types.js';

const MiB = 1024 * 1024;
/** Journal entries up to this size are copied and written in parallel; larger ones in turn. */
const JOURNAL_COPY_IN_PARALLEL = 256 * 1024;
const DEFAULTS = {
  cacheSize: 1024 * MiB,
  memCacheSize: 64 * MiB,
  uploadConcurrency: 16,
  // Room for a random writer's whole working set of a few hundred MiB: below it, chunks
  // are uploaded once at fsync instead of again and again as the writer comes back to
  // them. Sequential writers never fill it: their full chunks wait in a short line (below).
  maxDirtyBytes: 512 * MiB,
  readahead: 8,
};

/**
 * Opens the data path over `store` (already wrapped for retries) and the chunk map.
 * Call `recover()` before serving when the cache dir may hold a writeback journal.
 */
export async function openFileData(store: ObjectStore, chunkMap: ChunkMap, opts: FileDataOptions): Promise<FileData> {
  await initChecksum();
  return new ChunkedFileData(store, chunkMap, opts);
}

class ChunkedFileData implements FileData {
  private readonly cs: number;
  private readonly table = new DirtyTable();
  private readonly budget: MemoryBudget;
  private readonly pool: ChunkBufferPool;
  private readonly cache: CleanCache;
  private readonly fetcher: Fetcher;
  private readonly readahead: Readahead;
  private readonly uploader: Uploader;
  private readonly writeback: Writeback;
  private readonly journalStore: Journal;
  /** Chunk creations running, by `ino-idx`. */
  private readonly creating = new Map<string, Promise<void>>();
  private closed = false;

  constructor(
    store: ObjectStore,
    private readonly chunkMap: ChunkMap,
    opts: FileDataOptions,
  ) {
    this.cs = opts.chunkSize;
    const maxDirty = opts.maxDirtyBytes ?? DEFAULTS.maxDirtyBytes;
    this.budget = new MemoryBudget(maxDirty, (maxDirty / 4) * 3);
    const memBytes = opts.memCacheSize ?? DEFAULTS.memCacheSize;
    // Enough free buffers for what memory and the readahead turn over while a file is read.
    this.pool = new ChunkBufferPool(this.cs, Math.ceil(memBytes / this.cs / 2));
    this.cache = new CleanCache({ cacheDir: opts.cacheDir, diskBytes: opts.cacheSize ?? DEFAULTS.cacheSize, memBytes, pool: this.pool });
    this.fetcher = new Fetcher(store, this.cache, this.pool);
    const depth = opts.readahead ?? DEFAULTS.readahead;
    // Twice the parallelism ahead, within what memory holds besides the chunk being read
    // (the chunks read already go first, see `passed`).
    const window = Math.min(2 * depth, Math.floor(memBytes / this.cs) - 2);
    this.readahead = new Readahead(depth, this.cs, (ino, idx) => this.prefetch(ino, idx), window, (ino, idx) => this.passed(ino, idx));
    const uploadConcurrency = Math.max(1, opts.uploadConcurrency ?? DEFAULTS.uploadConcurrency);
    this.uploader = new Uploader(store, chunkMap, { chunkSize: this.cs, concurrency: uploadConcurrency });
    this.journalStore = new Journal(join(opts.cacheDir, 'journal'));
    this.writeback = new Writeback({
      table: this.table,
      budget: this.budget,
      uploader: this.uploader,
      cache: this.cache,
      journal: this.journalStore,
      chunkSize: this.cs,
      cacheLargeWrites: opts.cacheLargeWrites ?? false,
      earlyLimit: uploadConcurrency,
    });
  }

  async read(ino: number, fileSize: number, offset: number, length: number): Promise<Buffer> {
    const end = Math.min(fileSize, offset + length);
    if (end <= offset) return Buffer.alloc(0);
    const direct = await this.readWithinCleanChunk(ino, offset, end);
    if (direct) {
      this.readahead.onRead(ino, fileSize, offset, end - offset);
      return direct;
    }
    // Every byte of `out` is written below (data or zeros), so it need not be zeroed first.
    const out = Buffer.allocUnsafe(end - offset);
    const spans = chunkSpans(offset, end - offset, this.cs);
    // Dirty state and chunk refs are read in one synchronous step, so a commit landing
    // meanwhile cannot make us miss both the dirty buffer and the new ref.
    const dirty = spans.map((s) => this.table.get(ino, s.idx));
    const refs = new Map(this.chunkMap.getChunks(ino, spans[0].idx, spans[spans.length - 1].idx + 1).map((r) => [r.idx, r]));
    await Promise.all(
      spans.map(async (span, i) => {
        const chunk = dirty[i];
        const ref = refs.get(span.idx);
        // A hole reads as zeros.
        const src = chunk ? chunk.buf.subarray(0, chunk.len) : ref ? await this.fetcher.fetch(ino, ref) : null;
        const copied =
          src && span.start < src.length ? src.copy(out, span.bufOffset, span.start, Math.min(src.length, span.start + span.length)) : 0;
        out.fill(0, span.bufOffset + copied, span.bufOffset + span.length);
      }),
    );
    this.readahead.onRead(ino, fileSize, offset, end - offset);
    return out;
  }

  readCached(ino: number, fileSize: number, offset: number, length: number): Buffer | null {
    const end = Math.min(fileSize, offset + length);
    if (end <= offset) return null;
    const ref = this.cleanChunkHolding(ino, offset, end);
    const data = ref && this.cache.peek(ref.objectId);
    if (!ref || !data) return null;
    this.readahead.onRead(ino, fileSize, offset, end - offset);
    return this.rangeOf(ref, data, offset, end);
  }

  async write(ino: number, offset: number, data: Buffer): Promise<void> {
    this.assertOpen();
    for (const span of chunkSpans(offset, data.length, this.cs)) {
      await this.writeSpan(ino, span.idx, span.start, data.subarray(span.bufOffset, span.bufOffset + span.length));
      this.writeback.startIfFull(ino, span.idx);
    }
    this.writeback.startBackground();
    await this.writeback.fullLineRoom();
  }

  async truncate(ino: number, oldSize: number, newSize: number): Promise<void> {
    if (newSize >= oldSize) return;
    this.readahead.forget(ino);
    const cutIdx = chunkCount(newSize, this.cs);
    const endIdx = chunkIndex(newSize, this.cs);
    for (const ref of this.chunkMap.getChunks(ino, cutIdx, chunkCount(oldSize, this.cs))) this.cache.forget(ref.objectId);
    const gone: { idx: number; upload: Promise<boolean> }[] = [];
    const journalRemovals: Promise<void>[] = [];
    for (const [idx, chunk] of this.table.chunksOf(ino)) {
      if (idx < cutIdx) continue;
      this.writeback.discard(ino, idx, chunk);
      journalRemovals.push(this.journalStore.remove(ino, idx, Infinity));
      if (chunk.inflight) gone.push({ idx, upload: chunk.inflight });
    }
    if (newSize % this.cs !== 0) await this.trimChunk(ino, endIdx, newSize - chunkStart(endIdx, this.cs));
    // An upload that was running may still commit a chunk past the new end: undo it.
    const committed = await Promise.all(gone.map((g) => g.upload));
    const resurrected: ChunkUpdate[] = gone.filter((_, i) => committed[i]).map((g) => ({ idx: g.idx, objectId: null }));
    if (resurrected.length) this.chunkMap.commitChunks(ino, resurrected);
    // An upload of the end chunk's untrimmed version would raise the size again: let it land first.
    const endChunk = this.table.get(ino, endIdx);
    if (endChunk?.inflight) await endChunk.inflight;
    await Promise.all(journalRemovals);
  }

  flush(ino: number): Promise<void> {
    return this.writeback.flush(ino);
  }

  async journal(ino: number): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const [idx, chunk] of this.table.chunksOf(ino)) {
      // Large entries one at a time: each is a copy (writes may go on while it is written),
      // and a file of many chunks would otherwise hold a copy of all of them at once.
      if (chunk.len > JOURNAL_COPY_IN_PARALLEL) await Promise.all(writes);
      const version = chunk.version;
      if (chunk.removed || chunk.journaled >= version || chunk.committed >= version) continue;
      const data = this.pool.take(chunk.len);
      chunk.buf.copy(data, 0, 0, chunk.len);
      writes.push(
        this.journalStore.write(ino, idx, version, data).then(() => {
          this.pool.give(data);
          chunk.journaled = Math.max(chunk.journaled, version);
          // The upload may have committed this version while the entry was being written.
          if (chunk.committed >= version) void this.journalStore.remove(ino, idx, chunk.committed).catch(() => {});
        }),
      );
    }
    await Promise.all(writes);
    for (const [idx, chunk] of this.table.chunksOf(ino)) void this.writeback.start(ino, idx, chunk);
  }

  syncJournal(): Promise<void> {
    return this.journalStore.sync();
  }

  async flushAll(): Promise<void> {
    const results = await Promise.allSettled(this.table.inodes().map((ino) => this.flush(ino)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async drop(ino: number): Promise<void> {
    this.readahead.forget(ino);
    for (const ref of this.chunkMap.getChunks(ino, 0, Number.MAX_SAFE_INTEGER)) this.cache.forget(ref.objectId);
    const uploads: Promise<boolean>[] = [];
    const removals: Promise<void>[] = [];
    for (const [idx, chunk] of this.table.chunksOf(ino)) {
      this.writeback.discard(ino, idx, chunk);
      removals.push(this.journalStore.remove(ino, idx, Infinity));
      if (chunk.inflight) uploads.push(chunk.inflight);
    }
    await Promise.all([...uploads, ...removals]);
    this.writeback.forget(ino);
  }

  recover(): Promise<{ chunks: number; bytes: number }> {
    return recoverJournal(this.journalStore, this.uploader, this.cache, this.cs);
  }

  dirtyBytes(): number {
    let total = 0;
    for (const { chunk } of this.table.all()) total += chunk.len;
    return total;
  }

  uploadStats(): { objects: number; bytes: number } {
    return this.uploader.stats();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flushAll();
    } finally {
      this.closed = true;
      await this.readahead.idle();
      await this.uploader.idle();
      this.cache.spill();
      await this.cache.settled();
      this.pool.clear();
      await this.journalStore.close();
    }
  }

  /**
   * The common sequential read: [offset, end) lies in one stored chunk that is not dirty.
   * Returns a view of the verified, immutable cached chunk (no copy), or null when the read
   * needs the general path (dirty, a hole, several chunks, or past the chunk's data).
   */
  private async readWithinCleanChunk(ino: number, offset: number, end: number): Promise<Buffer | null> {
    const ref = this.cleanChunkHolding(ino, offset, end);
    return ref && this.rangeOf(ref, await this.fetcher.fetch(ino, ref), offset, end);
  }

  /** The file's bytes [offset, end) as a view of chunk `ref`'s bytes. */
  private rangeOf(ref: ChunkRef, data: Buffer, offset: number, end: number): Buffer {
    const start = offset - chunkStart(ref.idx, this.cs);
    return data.subarray(start, start + (end - offset));
  }

  /** The stored chunk that holds all of [offset, end) and is not dirty, or null. */
  private cleanChunkHolding(ino: number, offset: number, end: number): ChunkRef | null {
    const idx = chunkIndex(offset, this.cs);
    if (chunkIndex(end - 1, this.cs) !== idx || this.table.get(ino, idx)) return null;
    const ref = this.chunkMap.getChunk(ino, idx);
    if (!ref || offset - chunkStart(idx, this.cs) + (end - offset) > ref.len) return null;
    return ref;
  }

  /** Writes `bytes` at in-chunk offset `start` of chunk (ino, idx), creating the dirty chunk first. */
  private async writeSpan(ino: number, idx: number, start: number, bytes: Buffer): Promise<void> {
    for (;;) {
      const chunk = this.table.get(ino, idx);
      if (!chunk) {
        if (await this.createChunk(ino, idx, start, bytes.length, (c) => c.write(start, bytes, this.cs))) return;
        continue;
      }
      const cost = chunk.growthCost(start + bytes.length, this.cs);
      if (!this.budget.tryReserve(cost)) {
        await this.waitForRoom(cost);
        continue;
      }
      const released = chunk.write(start, bytes, this.cs);
      if (released) this.budget.release(released);
      return;
    }
  }

  /**
   * Makes (ino, idx) dirty and applies `change` to it in the same step (so that no upload
   * can take the chunk in between). Read-modify-write: the stored chunk is loaded unless
   * the change writes `length` bytes at `start` over all of it; a hole starts from zeros.
   * While one creation of a chunk runs, others wait for it and return false (the caller
   * then finds the chunk and applies its change itself).
   */
  private async createChunk(ino: number, idx: number, start: number, length: number, change: (chunk: DirtyChunk) => void): Promise<boolean> {
    const key = `${ino}-${idx}`;
    const running = this.creating.get(key);
    if (running) {
      await running.catch(() => {});
      return false;
    }
    const creation = (async () => {
      const ref = this.chunkMap.getChunk(ino, idx);
      const replacesAll = start === 0 && length >= (ref?.len ?? 0);
      const baseLen = ref && !replacesAll ? ref.len : 0;
      // A writer that starts a chunk past the first at its beginning is most likely
      // filling a large file: give it the whole chunk at once rather than grow by copies.
      const cap = idx > 0 && start === 0 && length > 0 ? this.cs : capacityFor(Math.max(baseLen, start + length), this.cs);
      let chunk: DirtyChunk;
      for (;;) {
        // Fetched again after each wait: cached bytes are copied before the event loop
        // turns (see CleanCache). No room is held while fetching, as uploads need it.
        const base = baseLen > 0 ? await this.fetcher.fetch(ino, ref!) : null;
        if (this.budget.tryReserve(cap)) {
          chunk = new DirtyChunk(bufferWith(base, baseLen, cap, this.pool.take), baseLen, this.pool.take);
          break;
        }
        await this.waitForRoom(cap);
      }
      change(chunk);
      this.table.set(ino, idx, chunk);
    })();
    this.creating.set(key, creation);
    try {
      await creation;
      return true;
    } finally {
      this.creating.delete(key);
    }
  }

  /** Cuts chunk (ino, idx) to `inLen` bytes, loading it when it is not dirty. */
  private async trimChunk(ino: number, idx: number, inLen: number): Promise<void> {
    for (;;) {
      const chunk = this.table.get(ino, idx);
      if (!chunk) {
        const ref = this.chunkMap.getChunk(ino, idx);
        if (!ref || ref.len <= inLen) return;
        if (!(await this.createChunk(ino, idx, 0, 0, (c) => c.trim(inLen, this.cs)))) continue;
        await this.journalTrimmed(ino, idx);
        return;
      }
      if (chunk.len <= inLen) return;
      const cost = chunk.growthCost(inLen, this.cs);
      if (!this.budget.tryReserve(cost)) {
        await this.waitForRoom(cost);
        continue;
      }
      const released = chunk.trim(inLen, this.cs);
      if (released) this.budget.release(released);
      await this.journalTrimmed(ino, idx);
      return;
    }
  }

  /** A journaled longer version of a trimmed chunk must not come back after a crash. */
  private async journalTrimmed(ino: number, idx: number): Promise<void> {
    const chunk = this.table.get(ino, idx);
    if (!chunk || !this.journalStore.has(ino, idx)) return;
    const version = chunk.version;
    await this.journalStore.write(ino, idx, version, Buffer.from(chunk.buf.subarray(0, chunk.len)));
    chunk.journaled = Math.max(chunk.journaled, version);
  }

  /**
   * Backpressure: waits until an upload settles (starting uploads of everything dirty so
   * that one will). Rejects with EIO when uploads fail and nothing is left that could free room.
   */
  private async waitForRoom(need: number): Promise<void> {
    const failuresBefore = this.writeback.failuresSeen;
    this.writeback.startAll();
    if (this.writeback.inflight === 0) {
      if (this.budget.fits(need)) return;
      throw new FsError('EIO', 'dirty data bound reached and no upload can free it');
    }
    await this.budget.changed();
    if (this.writeback.failuresSeen > failuresBefore && this.writeback.inflight === 0 && !this.budget.fits(need)) {
      throw new FsError('EIO', 'dirty data bound reached and uploads are failing');
    }
  }

  /** A sequential reader has moved past chunk (ino, idx): memory gives it up first. */
  private passed(ino: number, idx: number): void {
    const ref = this.chunkMap.getChunk(ino, idx);
    if (ref) this.cache.demote(ref.objectId);
  }

  /** Readahead's fetch: skips chunks that are dirty, holes or already cached. */
  private async prefetch(ino: number, idx: number): Promise<void> {
    if (this.closed || this.table.get(ino, idx)) return;
    const ref = this.chunkMap.getChunk(ino, idx);
    if (!ref || this.cache.has(ref.objectId)) return;
    await this.fetcher.fetch(ino, ref);
  }

  private assertOpen(): void {
    if (this.closed) throw new FsError('EIO', 'file data is closed');
  }
}
