/**
 * A response body gathered into one buffer of the announced length: a 4 MiB chunk is
 * otherwise kept as a list of socket reads and concatenated, a second copy that showed in
 * profiles of sequential reads. A body longer than announced grows the buffer; past `max`
 * bytes the rest is dropped (an error body is not worth more).
 */
export class BodyBuffer {
  private out: Buffer;
  private filled = 0;

  constructor(
    length: number | undefined,
    private readonly max = Infinity,
  ) {
    this.out = Buffer.allocUnsafe(Math.min(length ?? 64 * 1024, max));
  }

  add(part: Uint8Array): void {
    if (this.filled >= this.max) return;
    const bytes = this.filled + part.length > this.max ? part.subarray(0, this.max - this.filled) : part;
    if (this.filled + bytes.length > this.out.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.filled + bytes.length));
      this.out.copy(grown, 0, 0, this.filled);
      this.out = grown;
    }
    this.out.set(bytes, this.filled);
    this.filled += bytes.length;
  }

  /** The bytes gathered (the buffer itself when it is exactly full). */
  bytes(): Buffer {
    return this.filled === this.out.length ? this.out : this.out.subarray(0, this.filled);
  }
}
