
/** Bytes as MiB with one decimal (progress lines only). */
const mib = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;

/** Repaints at most this often. */
const EVERY_MS = 250;

/**
 * A one-line progress display on a terminal (`\r`-repainted): bytes done of the total,
 * rate and ETA. Silent when the stream is no TTY.
 */
export class Progress {
  private readonly started = Date.now();
  private last = 0;
  private done = 0;
  private count = 0;

  constructor(
    private readonly label: string,
    private readonly totalBytes: number,
    private readonly totalCount: number,
    private readonly stream: NodeJS.WriteStream | null,
  ) {}

  add(bytes: number): void {
    this.done += bytes;
    this.count++;
    const now = Date.now();
    if (now - this.last >= EVERY_MS) {
      this.last = now;
      this.paint(now);
    }
  }

  end(): void {
    if (!this.stream) return;
    this.paint(Date.now());
    this.stream.write('\n');
  }

  private paint(now: number): void {
    if (!this.stream) return;
    const secs = Math.max(0.001, (now - this.started) / 1000);
    const rate = this.done / secs;
    const left = Math.max(0, this.totalBytes - this.done);
    const eta = rate > 0 ? Math.round(left / rate) : 0;
    const line = `${this.label}: ${this.count}/${this.totalCount} objects, ${mib(this.done)} of ${mib(this.totalBytes)}, ${mib(rate)}/s, ETA ${eta}s`;
    this.stream.write(`\r${line.padEnd(100)}`);
  }
}
