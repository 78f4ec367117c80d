import { Transform, type TransformCallback } from 'node:stream';

/**
 * A token bucket shared by every connection in one direction, so a bandwidth cap limits
 * the link as a whole, as a real uplink would, not each socket separately.
 */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  /** Bursts up to 50 ms worth of bytes, small enough that short runs still see the cap. */
  private readonly burst: number;

  constructor(private readonly bytesPerSec: number) {
    this.burst = Math.max(64 * 1024, bytesPerSec * 0.05);
    this.tokens = this.burst;
  }

  /** Ms to wait before `n` bytes may pass; takes them (the balance may go negative). */
  take(n: number): number {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.bytesPerSec) / 1000);
    this.last = now;
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.bytesPerSec;
  }
}

/** Counts the bytes that pass and, with a bucket, holds each piece until the bucket allows it. */
export class Meter extends Transform {
  constructor(
    private readonly bucket: TokenBucket | null,
    private readonly count: (bytes: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.count(chunk.length);
    const wait = this.bucket?.take(chunk.length) ?? 0;
    if (wait <= 0) return done(null, chunk);
    setTimeout(() => done(null, chunk), wait);
  }
}
