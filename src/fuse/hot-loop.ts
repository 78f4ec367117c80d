/**
 * Keeps the event loop turning for a short while after a quick answer, so that the next
 * request of a burst is taken up at once instead of waking a sleeping thread.
 *
 * fuse-native hands each request to the main thread through an async handle: a loop asleep
 * in epoll must be woken first, a good part of a lookup's round trip on these machines.
 * `ls -l` asks for every name of a listing one after another; turning the loop with
 * `setImmediate` polls for the next request without sleeping. The turning stops `windowMs`
 * after the last touch, so an idle mount costs nothing and a burst at most its own
 * duration of one core.
 */
export class HotLoop {
  private lastMs = -Infinity;
  private turning = false;

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether the loop is being kept turning now. */
  get active(): boolean {
    return this.turning;
  }

  /** Marks a quick answer: the loop keeps turning for the next `windowMs`. */
  touch(): void {
    if (this.windowMs <= 0) return;
    this.lastMs = this.now();
    if (this.turning) return;
    this.turning = true;
    setImmediate(this.turn);
  }

  private readonly turn = (): void => {
    if (this.now() - this.lastMs < this.windowMs) setImmediate(this.turn);
    else this.turning = false;
  };
}
