import { StoreUnavailable } from '../../src/errors.js';
import type { Alloc, ListPage, ObjectInfo, ObjectStore } from '../../src/store/types.js';

/**
 * A store wrapper for tests: counts calls per method, can fail PUTs (as the retry wrapper
 * would once its budget is spent) and can hold PUTs at a gate until `releasePuts()`.
 */
export class StoreSpy implements ObjectStore {
  readonly description: string;
  readonly calls = { put: 0, get: 0, getRange: 0, head: 0, delete: 0, list: 0 };
  readonly putKeys: string[] = [];
  putBytes = 0;
  /** While true, every PUT rejects with StoreUnavailable. */
  failPuts = false;
  /** When set, a PUT for which it returns true rejects with StoreUnavailable. */
  failWhen: (() => boolean) | null = null;
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;
  private arrivals: (() => void)[] = [];
  /** PUTs waiting at the gate. */
  held = 0;
  /** When set, each PUT and GET first waits this many ms (a slow store). */
  delayMs: (() => number) | null = null;

  constructor(private readonly inner: ObjectStore) {
    this.description = `spy(${inner.description})`;
  }

  /** From now on PUTs wait until `releasePuts()`. */
  holdPuts(): void {
    this.gate ??= new Promise((resolve) => (this.openGate = resolve));
  }

  releasePuts(): void {
    this.openGate?.();
    this.gate = null;
    this.openGate = null;
  }

  /** Resolves once `n` PUTs are waiting at the gate. */
  async heldAtLeast(n: number): Promise<void> {
    while (this.held < n) await new Promise<void>((resolve) => this.arrivals.push(resolve));
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    this.calls.put++;
    await this.delay();
    if (this.gate) {
      this.held++;
      for (const wake of this.arrivals.splice(0)) wake();
      await this.gate;
      this.held--;
    }
    if (this.failPuts || this.failWhen?.()) throw new StoreUnavailable(`injected PUT failure: ${key}`);
    this.putKeys.push(key);
    this.putBytes += body.length;
    await this.inner.put(key, body);
  }

  async get(key: string, alloc?: Alloc): Promise<Buffer> {
    this.calls.get++;
    await this.delay();
    return this.inner.get(key, alloc);
  }

  getRange(key: string, offset: number, length: number): Promise<Buffer> {
    this.calls.getRange++;
    return this.inner.getRange(key, offset, length);
  }

  head(key: string): Promise<ObjectInfo | null> {
    this.calls.head++;
    return this.inner.head(key);
  }

  delete(key: string): Promise<void> {
    this.calls.delete++;
    return this.inner.delete(key);
  }

  deleteMany(keys: string[]): Promise<void> {
    this.calls.delete++;
    return this.inner.deleteMany(keys);
  }

  listPage(prefix: string, token?: string, limit?: number): Promise<ListPage> {
    this.calls.list++;
    return this.inner.listPage(prefix, token, limit);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async delay(): Promise<void> {
    const ms = this.delayMs?.() ?? 0;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
}
