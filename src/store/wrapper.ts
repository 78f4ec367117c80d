import type { Alloc, ListPage, ObjectInfo, ObjectStore, StoreOp } from './types.js';

/** One call through a wrapper: the operation, its key (or prefix) and the bytes sent. */
export interface StoreCall {
  op: StoreOp;
  /** The key; for `listPage` the prefix; for `deleteMany` the first key. */
  key: string;
  /** Bytes of the request body (`put`), else 0. */
  bytesUp: number;
  /** Keys in a `deleteMany`, else 1. */
  keys: number;
}

/**
 * The base of every wrapper (`withRetry`, `withFaultInjection`, `withCounting`): each data
 * operation goes through `around()` once, so a wrapper states its concern in one method.
 */
export abstract class StoreWrapper implements ObjectStore {
  constructor(protected readonly inner: ObjectStore) {}

  get description(): string {
    return this.inner.description;
  }

  /** Runs one call of the inner store; `run` may be called more than once (retries). */
  protected abstract around<T>(call: StoreCall, run: () => Promise<T>): Promise<T>;

  put(key: string, body: Uint8Array): Promise<void> {
    return this.around(call('put', key, body.length), () => this.inner.put(key, body));
  }

  get(key: string, alloc?: Alloc): Promise<Buffer> {
    return this.around(call('get', key), () => this.inner.get(key, alloc));
  }

  getRange(key: string, offset: number, length: number): Promise<Buffer> {
    return this.around(call('getRange', key), () => this.inner.getRange(key, offset, length));
  }

  head(key: string): Promise<ObjectInfo | null> {
    return this.around(call('head', key), () => this.inner.head(key));
  }

  delete(key: string): Promise<void> {
    return this.around(call('delete', key), () => this.inner.delete(key));
  }

  deleteMany(keys: string[]): Promise<void> {
    return this.around({ op: 'deleteMany', key: keys[0] ?? '', bytesUp: 0, keys: keys.length }, () =>
      this.inner.deleteMany(keys),
    );
  }

  listPage(prefix: string, token?: string, limit?: number): Promise<ListPage> {
    return this.around(call('listPage', prefix), () => this.inner.listPage(prefix, token, limit));
  }

  async checkAccess(): Promise<void> {
    await this.inner.checkAccess?.();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

function call(op: StoreOp, key: string, bytesUp = 0): StoreCall {
  return { op, key, bytesUp, keys: 1 };
}
