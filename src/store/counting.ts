import { STORE_OPS, type ListPage, type ObjectStore, type StoreOp } from './types.js';
import { StoreWrapper, type StoreCall } from './wrapper.js';

export interface OpCounts {
  /** Calls made (successful or not). */
  requests: number;
  /** Calls that failed. */
  errors: number;
  /** Body bytes sent (puts). */
  bytesUp: number;
  /** Body bytes received (gets, ranges). */
  bytesDown: number;
  /** Keys named (1 per call, the batch size for deleteMany, the items returned for listPage). */
  keys: number;
}

export type StoreCounts = Record<StoreOp, OpCounts>;

export interface CountingStore extends ObjectStore {
  /** Live counters per operation. */
  readonly counts: StoreCounts;
  /** A copy of the counters, to compare before/after. */
  snapshot(): StoreCounts;
  /** Sets every counter to zero. */
  resetCounts(): void;
  /** Sums a field over all operations. */
  total(field: keyof OpCounts): number;
}

const empty = (): StoreCounts =>
  Object.fromEntries(STORE_OPS.map((op) => [op, { requests: 0, errors: 0, bytesUp: 0, bytesDown: 0, keys: 0 }])) as StoreCounts;

class Counting extends StoreWrapper implements CountingStore {
  counts: StoreCounts = empty();

  snapshot(): StoreCounts {
    return structuredClone(this.counts);
  }

  resetCounts(): void {
    this.counts = empty();
  }

  total(field: keyof OpCounts): number {
    return STORE_OPS.reduce((sum, op) => sum + this.counts[op][field], 0);
  }

  protected async around<T>(call: StoreCall, run: () => Promise<T>): Promise<T> {
    const c = this.counts[call.op];
    c.requests++;
    c.bytesUp += call.bytesUp;
    if (call.op !== 'listPage') c.keys += call.keys;
    try {
      const result = await run();
      if (Buffer.isBuffer(result)) c.bytesDown += result.length;
      if (call.op === 'listPage') c.keys += (result as ListPage).items.length;
      return result;
    } catch (err) {
      c.errors++;
      throw err;
    }
  }
}

/** Counts requests and bytes per operation; tests assert on it ("exactly one chunk uploaded"). */
export function withCounting(store: ObjectStore): CountingStore {
  return new Counting(store);
}

