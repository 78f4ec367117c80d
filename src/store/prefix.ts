import { ObjectNotFound } from '../errors.js';
import type { Alloc, ListPage, ObjectInfo, ObjectStore } from './types.js';

/**
 * Places every key of `store` under `prefix` (e.g. 'fs1/'), so several users can share one
 * store. Listings strip the prefix again; a prefix should end in '/'.
 */
export function withPrefix(store: ObjectStore, prefix: string): ObjectStore {
  return new PrefixStore(store, prefix);
}

class PrefixStore implements ObjectStore {
  readonly description: string;

  constructor(private readonly inner: ObjectStore, private readonly prefix: string) {
    this.description = `${inner.description} (keys under ${prefix})`;
  }

  put(key: string, body: Uint8Array): Promise<void> {
    return this.inner.put(this.prefix + key, body);
  }

  get(key: string, alloc?: Alloc): Promise<Buffer> {
    return this.unprefixed(this.inner.get(this.prefix + key, alloc));
  }

  getRange(key: string, offset: number, length: number): Promise<Buffer> {
    return this.unprefixed(this.inner.getRange(this.prefix + key, offset, length));
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const info = await this.inner.head(this.prefix + key);
    return info && { ...info, key };
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(this.prefix + key);
  }

  deleteMany(keys: string[]): Promise<void> {
    return this.inner.deleteMany(keys.map((k) => this.prefix + k));
  }

  async listPage(prefix: string, token?: string, limit?: number): Promise<ListPage> {
    const page = await this.inner.listPage(this.prefix + prefix, token, limit);
    const items = page.items.map((i) => ({ ...i, key: i.key.slice(this.prefix.length) }));
    return page.next === undefined ? { items } : { items, next: page.next };
  }

  async checkAccess(): Promise<void> {
    await this.inner.checkAccess?.();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** An ObjectNotFound from below names the inner key; callers expect their own key. */
  private async unprefixed<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (err) {
      if (err instanceof ObjectNotFound) {
        const key = err.key;
        throw new ObjectNotFound(key.startsWith(this.prefix) ? key.slice(this.prefix.length) : key, { cause: err });
      }
      throw err;
    }
  }
}
