import PQueue from 'p-queue';
import { chunkCount, chunkIndex } from './math.js';

/** Inodes whose read position is remembered; the oldest is forgotten beyond this. */
const MAX_TRACKED = 1024;

interface Stream {
  /** The end of the furthest read: where the next read starts if the reader is sequential. */
  nextOffset: number;
  /** Chunks below this index have been prefetched already. */
  prefetchedTo: number;
  /** The reads so far are one sequential stream. */
  sequential: boolean;
}

/**
 * Sequential-read detection per inode. A read that starts at offset 0 or where the
 * furthest read so far ended is sequential, and so, once a stream is sequential, is one
 * that starts within a chunk of there: libfuse's threads hand over the kernel's concurrent
 * reads of one stream in any order. (A random reader never starts a stream that way: its
 * reads rarely start exactly where the last one ended.) The next `window` chunks past the
 * reader are then fetched in the background, at most `depth` at a time, into the clean
 * cache, and each chunk the reader has moved past is reported (`passed`), so that memory
 * gives it up before the chunks still to be read. The window reaches further than the
 * parallelism so that `depth` fetches stay in flight while the reader waits for the
 * oldest. A fetch whose chunk the reader has passed, or which is out of its window, is
 * dropped when its turn comes. Prefetch failures are ignored: the read that needs the
 * chunk fetches (and reports) it again.
 */
export class Readahead {
  private readonly streams = new Map<number, Stream>();
  private readonly queue: PQueue;

  private readonly window: number;

  constructor(
    private readonly depth: number,
    private readonly chunkSize: number,
    /** Fetches chunk (ino, idx) into the cache unless it is cached, dirty or a hole. */
    private readonly prefetch: (ino: number, idx: number) => Promise<void>,
    /** Chunks ahead of the reader fetched at most (at least `depth`). */
    window = depth,
    /** Told of each chunk a sequential reader has moved past. */
    private readonly passed: (ino: number, idx: number) => void = () => {},
  ) {
    this.queue = new PQueue({ concurrency: Math.max(1, depth) });
    this.window = Math.max(depth, window);
  }

  /** Notes a read of [offset, offset + length) in a file of `fileSize` bytes. */
  onRead(ino: number, fileSize: number, offset: number, length: number): void {
    if (this.depth <= 0 || length <= 0) return;
    const stream = this.streams.get(ino);
    this.streams.delete(ino);
    const continues =
      stream !== undefined &&
      (offset === stream.nextOffset || (stream.sequential && Math.abs(offset - stream.nextOffset) <= this.chunkSize));
    const next: Stream = continues
      ? { nextOffset: Math.max(stream.nextOffset, offset + length), prefetchedTo: stream.prefetchedTo, sequential: true }
      : { nextOffset: offset + length, prefetchedTo: 0, sequential: offset === 0 };
    this.streams.set(ino, next);
    if (this.streams.size > MAX_TRACKED) this.streams.delete(this.streams.keys().next().value as number);
    if (!next.sequential) return;
    const reading = chunkIndex(next.nextOffset - 1, this.chunkSize);
    if (continues) for (let idx = chunkIndex(stream.nextOffset - 1, this.chunkSize); idx < reading; idx++) this.passed(ino, idx);
    const from = Math.max(reading + 1, next.prefetchedTo);
    const to = Math.min(chunkCount(fileSize, this.chunkSize), reading + 1 + this.window);
    for (let idx = from; idx < to; idx++) {
      void this.queue.add(async () => {
        if (this.ahead(ino, idx)) await this.prefetch(ino, idx).catch(() => {});
      });
    }
    next.prefetchedTo = Math.max(next.prefetchedTo, to);
  }

  /** True while chunk `idx` is still ahead of the inode's reader and within its window. */
  private ahead(ino: number, idx: number): boolean {
    const stream = this.streams.get(ino);
    if (!stream) return false;
    const reading = chunkIndex(stream.nextOffset - 1, this.chunkSize);
    return idx > reading && idx <= reading + this.window;
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
