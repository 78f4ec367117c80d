import { FsError } from '../errors.js';
import type { ChunkUpdate } from '../metadata/types.js';
import type { MemoryBudget } from '../chunker/budget.js';
import type { CleanCache } from '../chunker/cache.js';
import type { DirtyChunk, DirtyTable } from '../chunker/dirty.js';
import type { Journal } from '../chunker/journal.js';
import type { Uploader } from './uploader.js';

export interface WritebackDeps {
  table: DirtyTable;
  budget: MemoryBudget;
  uploader: Uploader;
  cache: CleanCache;
  journal: Journal;
  chunkSize: number;
  /** Whole uploaded chunks go to the disk cache too, not only to memory (FileDataOptions). */
  cacheLargeWrites: boolean;
  /** Uploads running at most for full chunks started early (the upload concurrency). */
  earlyLimit: number;
}

/**
 * Full chunks that may wait for an upload slot, per slot. Past that, a sequential writer
 * waits: it cannot outrun the store by more than this, and its memory stays bounded far
 * below the dirty bound (which exists for random writers' working sets).
 */
const FULL_LINE_PER_SLOT = 2;

/**
 * Moves dirty chunks to the store: starts uploads (on flush, as soon as a chunk is full, or
 * in the background above the high-water mark), and when one commits makes the chunk clean (its buffer goes to the
 * clean cache under the new object id, its journal entry goes away). At most one upload
 * per chunk runs at a time, so commits of one chunk land in version order. A failed upload
 * leaves the chunk dirty: no data is lost, and the next flush tries again.
 */
export class Writeback {
  private readonly failures = new Map<number, unknown>();
  private failureCount = 0;
  private running = 0;
  /** Full chunks waiting for an upload slot, oldest first. */
  private readonly fullWaiting = new Map<DirtyChunk, { ino: number; idx: number }>();
  private pumpScheduled = false;

  constructor(private readonly deps: WritebackDeps) {}

  /** Uploads running now. */
  get inflight(): number {
    return this.running;
  }

  /** Starts uploading the chunk's current version unless an upload of it is running. */
  start(ino: number, idx: number, chunk: DirtyChunk): Promise<boolean> {
    if (chunk.inflight) return chunk.inflight;
    const version = chunk.version;
    const buf = chunk.buf;
    const data = chunk.freeze();
    this.running++;
    chunk.inflight = this.journalFirst(ino, idx, chunk, version, data)
      .then(() => this.deps.uploader.upload(ino, idx, data))
      .then(
        (update) => {
          this.committed(ino, idx, chunk, version, buf, update);
          return true;
        },
        (err: unknown) => {
          this.failed(ino, idx, chunk, buf, err);
          return false;
        },
      )
      .finally(() => {
        chunk.inflight = null;
        this.running--;
        this.deps.budget.notify();
        this.startFullWaiting();
      });
    return chunk.inflight;
  }

  /**
   * Uploads and commits every chunk of `ino` that is dirty now, in the version it has now
   * (later writes are the next flush's). Rejects with EIO when an upload this call started
   * fails; the chunks stay dirty.
   */
  async flush(ino: number): Promise<void> {
    const targets = this.deps.table.chunksOf(ino).map(([idx, chunk]) => ({ idx, chunk, version: chunk.version }));
    for (;;) {
      const pending = targets.filter((t) => !t.chunk.removed && t.chunk.committed < t.version);
      if (pending.length === 0) break;
      // An upload already running may hold an older version or fail: wait for it, then look again.
      const results = await Promise.all(
        pending.map((t) => (t.chunk.inflight ? t.chunk.inflight.then(() => true) : this.start(ino, t.idx, t.chunk))),
      );
      if (results.includes(false)) {
        const cause = this.failures.get(ino);
        throw new FsError('EIO', `uploading inode ${ino} failed: ${describe(cause)}`, { cause });
      }
    }
    this.failures.delete(ino);
  }

  /** The last upload failure of `ino` not yet cleared by a successful flush. */
  failure(ino: number): unknown {
    return this.failures.get(ino);
  }

  /** Failures since open (waiters compare it to see whether uploads are failing). */
  get failuresSeen(): number {
    return this.failureCount;
  }

  /**
   * Above the high-water mark, starts uploads of the oldest dirty chunks until what is
   * uploading would bring the dirty memory back to half the mark.
   */
  startBackground(): void {
    const { budget, table } = this.deps;
    if (!budget.overHighWater) return;
    let freeing = 0;
    for (const { ino, idx, chunk } of table.all()) {
      if (budget.used - freeing <= budget.highWater / 2) break;
      freeing += chunk.buf.length;
      if (!chunk.inflight) void this.start(ino, idx, chunk);
    }
  }

  /**
   * Uploads chunk (ino, idx) now if writes have filled it since its last upload, so a
   * sequential writer keeps the store busy instead of leaving everything to the high-water
   * mark and fsync. Partly written chunks wait (a random writer may write them again, and
   * each upload costs a whole chunk). Past `earlyLimit` uploads running, the chunk waits for
   * a slot; a chunk written again while uploading goes again once that upload settles.
   */
  startIfFull(ino: number, idx: number): void {
    const chunk = this.deps.table.get(ino, idx);
    if (!chunk || !chunk.full(this.deps.chunkSize)) return;
    this.fullWaiting.delete(chunk);
    this.fullWaiting.set(chunk, { ino, idx });
    // On the next turn, once the write has returned: its caller sees the same state as before
    // the write (nothing uploaded yet), and the store link still fills while the writer goes on.
    if (!this.pumpScheduled) {
      this.pumpScheduled = true;
      setImmediate(() => {
        this.pumpScheduled = false;
        this.startFullWaiting();
      });
    }
  }

  /**
   * Resolves once the line of full chunks waiting for an upload slot is short enough (see
   * FULL_LINE_PER_SLOT). Returns at once when uploads are failing: the dirty bound then
   * decides, as for any writer.
   */
  async fullLineRoom(): Promise<void> {
    const limit = FULL_LINE_PER_SLOT * this.deps.earlyLimit;
    while (this.fullWaiting.size > limit && this.running > 0) {
      const failures = this.failureCount;
      await this.deps.budget.changed();
      if (this.failureCount > failures) return;
    }
  }

  private startFullWaiting(): void {
    for (const [chunk, { ino, idx }] of this.fullWaiting) {
      if (this.running >= this.deps.earlyLimit) return;
      if (chunk.inflight) continue;
      this.fullWaiting.delete(chunk);
      if (chunk.removed || chunk.committed >= chunk.version || !chunk.full(this.deps.chunkSize)) continue;
      void this.start(ino, idx, chunk);
    }
  }

  /** Starts an upload of every dirty chunk not uploading (writers wait for room). */
  startAll(): void {
    for (const { ino, idx, chunk } of this.deps.table.all()) {
      if (!chunk.inflight) void this.start(ino, idx, chunk);
    }
  }

  /** Removes a chunk from the dirty table without uploading it (truncated away or dropped). */
  discard(ino: number, idx: number, chunk: DirtyChunk): void {
    this.deps.table.delete(ino, idx, chunk);
    if (chunk.removed) return;
    chunk.removed = true;
    // A frozen buffer belongs to the running upload, which releases it when it settles.
    if (!chunk.frozen) this.deps.budget.release(chunk.buf.length);
  }

  /** Forgets the failures of an inode that no longer exists. */
  forget(ino: number): void {
    this.failures.delete(ino);
  }

  private committed(ino: number, idx: number, chunk: DirtyChunk, version: number, buf: Buffer, update: ChunkUpdate): void {
    const { table, cache, journal } = this.deps;
    chunk.committed = Math.max(chunk.committed, version);
    if (update.objectId !== null) {
      const toDisk = this.deps.cacheLargeWrites || update.len < this.deps.chunkSize;
      cache.put(update.objectId, cacheable(buf, update.len), toDisk);
    }
    if (chunk.buf === buf && !chunk.removed) {
      table.delete(ino, idx, chunk);
      chunk.removed = true;
    }
    this.settle(chunk, buf);
    if (chunk.journaled > 0 || journal.has(ino, idx)) {
      void journal.remove(ino, idx, version).catch((err: unknown) => logJournalError(ino, idx, err));
    }
  }

  /**
   * When the journal holds an older version of the chunk, the version about to be committed
   * replaces it there first. Otherwise a crash after the commit but before the entry is gone
   * would let recovery commit the older version over the newer one.
   */
  private async journalFirst(ino: number, idx: number, chunk: DirtyChunk, version: number, data: Buffer): Promise<void> {
    if (!this.deps.journal.has(ino, idx)) return;
    await this.deps.journal.write(ino, idx, version, data);
    chunk.journaled = Math.max(chunk.journaled, version);
  }

  private failed(ino: number, idx: number, chunk: DirtyChunk, buf: Buffer, err: unknown): void {
    this.failures.set(ino, err);
    this.failureCount++;
    console.error(`chunkfs: upload of ino=${ino} idx=${idx} failed (the chunk stays dirty): ${describe(err)}`);
    this.settle(chunk, buf);
  }

  /** Ends the upload's hold on `buf`: releases it unless the chunk still uses it. */
  private settle(chunk: DirtyChunk, buf: Buffer): void {
    if (chunk.buf !== buf) {
      this.deps.budget.release(buf.length);
      return;
    }
    chunk.frozen = false;
    if (chunk.removed) this.deps.budget.release(buf.length);
  }
}

/**
 * The committed bytes for the clean cache. The uploaded buffer is never written again
 * (writes copy a frozen buffer), so it can be kept as is, unless it is much larger than its
 * data (a small file in a grown buffer): the cache counts bytes of data, so copy then.
 */
function cacheable(buf: Buffer, len: number): Buffer {
  return buf.length - len > SLACK ? Buffer.from(buf.subarray(0, len)) : buf.subarray(0, len);
}

const SLACK = 16 * 1024;

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function logJournalError(ino: number, idx: number, err: unknown): void {
  console.error(`chunkfs: removing journal entry ino=${ino} idx=${idx} failed: ${describe(err)}`);
}
