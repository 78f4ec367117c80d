import PQueue from 'p-queue';
import { chunkCount, chunkIndex } from './math.js';

/** Inodes whose read position is remembered; the oldest is forgotten beyond this. */
const MAX_TRACKED = 1024;

interface Stream {
  /** Where the next read starts if the reader is sequential. */
  nextOffset: number;
  /** Chunks below this index have been prefetched already. */
  prefetchedTo: number;
}

/**
 * Sequential-read detection per inode. A read that starts where the previous one ended
 * (or at offset 0) is sequential: the next `depth` chunks past it are fetched in the
 * background, at most `depth` at a time, into the clean cache. Prefetch failures are
 * ignored: the read that needs the chunk fetches (and reports) it again.
 */
export class Readahead {
  private readonly streams = new Map<number, Stream>();
  private readonly queue: PQueue;

  constructor(
    private readonly depth: number,
    private readonly chunkSize: number,
    /** Fetches chunk (ino, idx) into the cache unless it is cached, dirty or a hole. */
    private readonly prefetch: (ino: number, idx: number) => Promise<void>,
  ) {
    this.queue = new PQueue({ concurrency: Math.max(1, depth) });
  }

  /** Notes a read of [offset, offset + length) in a file of `fileSize` bytes. */
  onRead(ino: number, fileSize: number, offset: number, length: number): void {
    if (this.depth <= 0 || length <= 0) return;
    const stream = this.streams.get(ino);
    this.streams.delete(ino);
    const sequential = offset === 0 || stream?.nextOffset === offset;
    const next: Stream = { nextOffset: offset + length, prefetchedTo: sequential ? stream?.prefetchedTo ?? 0 : 0 };
    this.streams.set(ino, next);
    if (this.streams.size > MAX_TRACKED) this.streams.delete(this.streams.keys().next().value as number);
    if (!sequential) return;
    const from = Math.max(chunkIndex(offset + length - 1, this.chunkSize) + 1, next.prefetchedTo);
    const to = Math.min(chunkCount(fileSize, this.chunkSize), chunkIndex(offset + length - 1, this.chunkSize) + 1 + this.depth);
    for (let idx = from; idx < to; idx++) {
      void this.queue.add(() => this.prefetch(ino, idx).catch(() => {}));
    }
    next.prefetchedTo = Math.max(next.prefetchedTo, to);
  }

  /** Forgets an inode's read position (its file was truncated or destroyed). */
  forget(ino: number): void {
    this.streams.delete(ino);
  }

  /** Resolves when no prefetch is queued or running. */
  async idle(): Promise<void> {
    await this.queue.onIdle();
  }
}
