/**
 * The memory bound on dirty chunk buffers (and on copies held by uploads in flight).
 * Reservations are synchronous and never wait; a writer that does not fit awaits
 * `changed()` and tries again, so no lock is held while waiting.
 */
export class MemoryBudget {
  private usedBytes = 0;
  private waiters: (() => void)[] = [];

  /** `max`: writers wait above it; `highWater`: background uploads start above it. */
  constructor(
    readonly max: number,
    readonly highWater: number,
  ) {}

  get used(): number {
    return this.usedBytes;
  }

  /** True when `n` more bytes fit (always when nothing is reserved, so one chunk can exceed a tiny bound). */
  fits(n: number): boolean {
    return n <= 0 || this.usedBytes === 0 || this.usedBytes + n <= this.max;
  }

  /** Reserves `n` bytes if they fit; false otherwise (nothing reserved). */
  tryReserve(n: number): boolean {
    if (!this.fits(n)) return false;
    this.usedBytes += n;
    return true;
  }

  release(n: number): void {
    this.usedBytes -= n;
    if (this.usedBytes < 0) throw new Error(`dirty memory accounting went negative (${this.usedBytes})`);
    this.notify();
  }

  get overHighWater(): boolean {
    return this.usedBytes > this.highWater;
  }

  /** Resolves at the next release or `notify()`. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Wakes every waiter (something they may be waiting for has happened). */
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
