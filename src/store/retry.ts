import { BucketNotFound, ObjectNotFound, StoreAccessDenied, StoreError, StoreUnavailable } from '../errors.js';
import type { ObjectStore } from './types.js';
import { StoreWrapper, type StoreCall } from './wrapper.js';

export interface RetryOptions {
  /** Attempts per call, the first one included (default 8). */
  attempts?: number;
  /** No new attempt starts after this many ms since the first (default 60000). */
  maxElapsedMs?: number;
  /** The backoff's first ceiling; it doubles per attempt (default 100). */
  baseDelayMs?: number;
  /** The backoff's largest ceiling (default 10000). */
  maxDelayMs?: number;
  /** Random source in [0, 1) for the jitter; tests make it deterministic. */
  random?: () => number;
}

const DEFAULTS = { attempts: 8, maxElapsedMs: 60_000, baseDelayMs: 100, maxDelayMs: 10_000 };

/**
 * True for failures that may pass when repeated: the store unreachable, timed out or reset
 * (`StoreUnavailable`), a 5xx (503 SlowDown included), 408 and 429. Never for a missing key or
 * bucket, refused credentials, other 4xx, or errors that are not store errors (bugs).
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof ObjectNotFound || err instanceof BucketNotFound || err instanceof StoreAccessDenied) return false;
  if (err instanceof StoreUnavailable) return true;
  if (err instanceof StoreError) {
    const s = err.status;
    return s !== undefined && (s >= 500 || s === 408 || s === 429);
  }
  return false;
}

/**
 * Runs `run` until it succeeds, fails with a non-transient error (rethrown as is), or the
 * budget is spent; then throws `StoreUnavailable` naming the operation, the key, the number
 * of attempts and the last reason, with the last error as `cause`.
 * Backoff is exponential with full jitter: a uniform wait in [0, min(max, base·2^n)).
 */
export async function retrying<T>(
  what: { op: string; key: string; store: string },
  run: () => Promise<T>,
  opts: RetryOptions = {},
): Promise<T> {
  const o = { ...DEFAULTS, ...stripUndefined(opts) };
  const random = opts.random ?? Math.random;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!isTransient(err)) throw err;
      const delay = Math.floor(random() * Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1)));
      const elapsed = Date.now() - started;
      if (attempt >= o.attempts || elapsed + delay > o.maxElapsedMs) {
        throw new StoreUnavailable(
          `${what.op} ${JSON.stringify(what.key)} on ${what.store} failed after ${attempt} attempt(s) in ` +
            `${(elapsed / 1000).toFixed(1)} s: ${reason(err)}`,
          { cause: err },
        );
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

function reason(err: unknown): string {
  if (err instanceof StoreError && err.status !== undefined && !err.message.includes(String(err.status))) {
    return `${err.message} (HTTP ${err.status})`;
  }
  return err instanceof Error ? err.message : String(err);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

class RetryingStore extends StoreWrapper {
  constructor(inner: ObjectStore, private readonly opts: RetryOptions) {
    super(inner);
  }

  protected around<T>(call: StoreCall, run: () => Promise<T>): Promise<T> {
    return retrying({ op: call.op, key: call.key, store: this.description }, run, this.opts);
  }

  override checkAccess(): Promise<void> {
    return retrying({ op: 'checkAccess', key: '', store: this.description }, () => super.checkAccess(), this.opts);
  }
}

/**
 * Retries transient failures of every call (see `isTransient`), with bounded attempts and
 * time. Every store operation is idempotent in effect, so repeating one is safe. This is
 * the only place chunkfs retries store calls.
 */
export function withRetry(store: ObjectStore, opts: RetryOptions = {}): ObjectStore {
  return new RetryingStore(store, opts);
}
