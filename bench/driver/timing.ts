/** Collects per-operation latencies and reports percentiles. */
export class Latencies {
  private values: Float64Array;
  private n = 0;

  constructor(expected = 1024) {
    this.values = new Float64Array(Math.max(16, expected));
  }

  add(ms: number): void {
    if (this.n === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.n++] = ms;
  }

  get count(): number {
    return this.n;
  }

  /** The p-th percentile (0..100) by nearest rank; undefined with no samples. */
  percentile(p: number): number | undefined {
    if (this.n === 0) return undefined;
    const sorted = this.values.slice(0, this.n).sort();
    const rank = Math.min(this.n - 1, Math.max(0, Math.ceil((p / 100) * this.n) - 1));
    return sorted[rank];
  }
}

export const nowMs = (): number => performance.now();
export const epochMs = (): number => performance.timeOrigin + performance.now();
