/** Free buffers are let go of when none was taken for this long. */
const IDLE_MS = 2000;

/**
 * Reuses the buffers that whole chunks are read into. A new 4 MiB buffer is memory V8
 * counts against its external limit, and a sequential read of 1 GiB made it run a full
 * mark-compact for every few chunks (about 70 per GiB over S3, some 20 ms each).
 *
 * Only buffers this pool handed out come back (a view of one stands for all of it), and
 * each at most once per taking. A buffer given back is reused no earlier than the next
 * turn of the event loop, so a reader that got a view of it before it was given back (and
 * copies out in the same chain of promise callbacks, as every reader of the clean cache
 * does) still reads its old bytes.
 */
export class ChunkBufferPool {
  private readonly free: Buffer[] = [];
  /** The memory of the buffers handed out and not yet given back. */
  private readonly lent = new WeakSet<ArrayBufferLike>();
  private lastTake = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  /** @param max free buffers kept at most */
  constructor(
    private readonly size: number,
    private readonly max: number,
  ) {}

  /** A buffer of `length` bytes (contents undefined); pooled when `length` is the chunk size. */
  readonly take = (length: number): Buffer => {
    if (length !== this.size || this.max === 0) return Buffer.allocUnsafe(length);
    this.lastTake = Date.now();
    const buf = this.free.pop() ?? Buffer.allocUnsafeSlow(length);
    this.lent.add(buf.buffer);
    return buf;
  };

  /**
   * Takes back a buffer (or any view of one) that nobody reads or writes after this turn;
   * others are left to the GC.
   */
  give(view: Uint8Array): void {
    const memory = view.buffer;
    if (!this.lent.delete(memory)) return;
    setImmediate(() => {
      if (this.free.length >= this.max) return;
      this.free.push(Buffer.from(memory, 0, this.size));
      this.dropWhenIdle();
    });
  }

  /** Free buffers held now. */
  get freeCount(): number {
    return this.free.length;
  }

  /** Lets go of every free buffer. */
  clear(): void {
    this.free.length = 0;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private dropWhenIdle(): void {
    if (this.idleTimer) return;
    const check = (): void => {
      const idleFor = Date.now() - this.lastTake;
      if (idleFor >= IDLE_MS) {
        this.idleTimer = null;
        this.free.length = 0;
        return;
      }
      this.idleTimer = setTimeout(check, IDLE_MS - idleFor);
      this.idleTimer.unref();
    };
    this.idleTimer = setTimeout(check, IDLE_MS);
    this.idleTimer.unref();
  }
}
