import { ObjectNotFound } from '../errors.js';
import type { ListPage, ObjectInfo, ObjectStore } from './types.js';

const MAX_PAGE = 1000;

interface MemObject {
  body: Buffer;
  mtimeMs: number;
}

/** An in-memory store for tests. Objects are copied in and out, so callers cannot alias them. */
export class MemStore implements ObjectStore {
  readonly description = 'mem://';
  private readonly objects = new Map<string, MemObject>();

  async put(key: string, body: Uint8Array): Promise<void> {
    this.objects.set(key, { body: Buffer.from(body), mtimeMs: Date.now() });
  }

  async get(key: string): Promise<Buffer> {
    return Buffer.from(this.require(key).body);
  }

  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    const { body } = this.require(key);
    if (offset >= body.length) return Buffer.alloc(0);
    return Buffer.from(body.subarray(offset, Math.min(body.length, offset + length)));
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const obj = this.objects.get(key);
    return obj ? { key, size: obj.body.length, mtimeMs: obj.mtimeMs } : null;
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  async deleteMany(keys: string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key);
  }

  async listPage(prefix: string, token?: string, limit = MAX_PAGE): Promise<ListPage> {
    const pageSize = Math.min(Math.max(1, limit), MAX_PAGE);
    const keys = [...this.objects.keys()]
      .filter((k) => k.startsWith(prefix) && (token === undefined || Buffer.compare(Buffer.from(k), Buffer.from(token)) > 0))
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const page = keys.slice(0, pageSize);
    const items = page.map((key) => {
      const obj = this.objects.get(key)!;
      return { key, size: obj.body.length, mtimeMs: obj.mtimeMs };
    });
    return keys.length > pageSize ? { items, next: page[page.length - 1] } : { items };
  }

  async close(): Promise<void> {}

  private require(key: string): MemObject {
    const obj = this.objects.get(key);
    if (!obj) throw new ObjectNotFound(key);
    return obj;
  }
}
