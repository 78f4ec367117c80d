import { StoreUnavailable } from '../errors.js';
import { STORE_OPS, type ObjectStore, type StoreOp } from './types.js';
import { StoreWrapper, type StoreCall } from './wrapper.js';

export interface FaultOptions {
  /** Probability in [0, 1] that a call fails before reaching the inner store (default 0). */
  failRate?: number;
  /** Builds the injected error (default: a `StoreUnavailable` naming the call). */
  errors?: (call: StoreCall, n: number) => Error;
  /** Delay added before every call, in ms (default 0). */
  latencyMs?: number;
  /**
   * Probability in [0, 1] that a put reaches the inner store and then reports failure anyway,
   * as when a response is lost after the server stored the object (default 0).
   */
  failAfterPut?: number;
  /** Seed of the random source, for repeatable runs (default 1). */
  seed?: number;
  /** Only these operations are affected (default: all). */
  only?: StoreOp[];
}

export interface FaultCounters {
  /** Calls seen, per operation. */
  calls: Record<StoreOp, number>;
  /** Calls that reached the inner store, per operation. */
  reached: Record<StoreOp, number>;
  /** Failures injected before the inner store, per operation. */
  failedBefore: Record<StoreOp, number>;
  /** Puts that reached the inner store and were then reported as failed. */
  failedAfterPut: number;
}

export interface FaultInjectingStore extends ObjectStore {
  readonly faults: FaultCounters;
  /** Changes the failure rates from now on (e.g. 0 to let a test finish cleanly). */
  setFaults(opts: Pick<FaultOptions, 'failRate' | 'failAfterPut'>): void;
}

/** mulberry32: a small seeded PRNG, enough for repeatable fault patterns. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const zeroes = (): Record<StoreOp, number> =>
  Object.fromEntries(STORE_OPS.map((op) => [op, 0])) as Record<StoreOp, number>;

class FaultStore extends StoreWrapper implements FaultInjectingStore {
  readonly faults: FaultCounters = { calls: zeroes(), reached: zeroes(), failedBefore: zeroes(), failedAfterPut: 0 };
  private readonly random: () => number;
  private failRate: number;
  private failAfterPut: number;
  private injected = 0;

  constructor(inner: ObjectStore, private readonly opts: FaultOptions) {
    super(inner);
    this.random = seededRandom(opts.seed ?? 1);
    this.failRate = opts.failRate ?? 0;
    this.failAfterPut = opts.failAfterPut ?? 0;
  }

  setFaults(o: Pick<FaultOptions, 'failRate' | 'failAfterPut'>): void {
    if (o.failRate !== undefined) this.failRate = o.failRate;
    if (o.failAfterPut !== undefined) this.failAfterPut = o.failAfterPut;
  }

  protected async around<T>(call: StoreCall, run: () => Promise<T>): Promise<T> {
    const f = this.faults;
    f.calls[call.op]++;
    const affected = !this.opts.only || this.opts.only.includes(call.op);
    // Draw both numbers on every call, so the pattern depends only on the call sequence.
    const before = this.random() < this.failRate;
    const after = this.random() < this.failAfterPut;
    if (this.opts.latencyMs) await new Promise((r) => setTimeout(r, this.opts.latencyMs));
    if (affected && before) {
      f.failedBefore[call.op]++;
      throw this.makeError(call);
    }
    f.reached[call.op]++;
    const result = await run();
    if (affected && after && call.op === 'put') {
      f.failedAfterPut++;
      throw this.makeError(call);
    }
    return result;
  }

  private makeError(call: StoreCall): Error {
    const n = ++this.injected;
    return this.opts.errors?.(call, n) ?? new StoreUnavailable(`injected fault #${n} in ${call.op} ${JSON.stringify(call.key)}`);
  }
}

/**
 * For tests: fails calls at random (seeded, so a run repeats), adds latency, and can fail a
 * put after the inner store has stored it. `faults` counts what happened.
 */
export function withFaultInjection(store: ObjectStore, opts: FaultOptions = {}): FaultInjectingStore {
  return new FaultStore(store, opts);
}
