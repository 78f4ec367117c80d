import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ObjectNotFound, StoreAccessDenied, StoreError, StoreUnavailable } from '../errors.js';
import { fsyncDir, readAt, readWhole, writeWhole } from '../fs-sync.js';
import { keyPath } from './file-keys.js';
import { walkKeys } from './file-list.js';
import type { Alloc, ListPage, ObjectInfo, ObjectStore } from './types.js';

const MAX_PAGE = 1000;
const DELETE_CONCURRENCY = 8;

/**
 * A store in a local directory; each object is one file, a key's '/' are subdirectories.
 * A put writes a temporary file next to the target, fsyncs it, renames it over the target
 * and fsyncs the directory: a crash leaves the old object or the new one, never a torn one
 * (at worst a stray `.tmp-*` file, which listings ignore).
 * A key cannot be both an object and a "directory" of other keys (`a` and `a/b`).
 */
export class FileStore implements ObjectStore {
  readonly description: string;

  constructor(private readonly root: string) {
    this.description = `file://${root}`;
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const path = keyPath(this.root, key);
    // A concurrent delete may remove the (empty) parent directory between mkdir and open.
    for (let attempt = 0; ; attempt++) {
      try {
        await mkdir(dirname(path), { recursive: true });
        await this.writeAtomically(path, body);
        return;
      } catch (err) {
        if (code(err) === 'ENOENT' && attempt < 5) continue;
        throw this.fail('put', key, err);
      }
    }
  }

  async get(key: string, alloc: Alloc = Buffer.allocUnsafe): Promise<Buffer> {
    try {
      return await readWhole(keyPath(this.root, key), alloc);
    } catch (err) {
      throw this.fail('get', key, err);
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    let fh;
    try {
      fh = await open(keyPath(this.root, key), 'r');
      const size = (await fh.stat()).size;
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = Buffer.alloc(n);
      return buf.subarray(0, await readAt(fh, buf, offset));
    } catch (err) {
      throw this.fail('getRange', key, err);
    } finally {
      await fh?.close();
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    try {
      const st = await stat(keyPath(this.root, key));
      return st.isFile() ? { key, size: st.size, mtimeMs: st.mtimeMs } : null;
    } catch (err) {
      const c = code(err);
      if (c === 'ENOENT' || c === 'ENOTDIR') return null;
      throw this.fail('head', key, err);
    }
  }

  async delete(key: string): Promise<void> {
    const path = keyPath(this.root, key);
    try {
      await unlink(path);
    } catch (err) {
      const c = code(err);
      if (c === 'ENOENT' || c === 'ENOTDIR') return;
      if (c === 'EISDIR' || c === 'EPERM') {
        if (!(await stat(path).catch(() => null))?.isFile()) return; // a "directory" key is no object
      }
      throw this.fail('delete', key, err);
    }
    await this.pruneEmptyDirs(dirname(path));
  }

  async deleteMany(keys: string[]): Promise<void> {
    // A few unlinks in flight at once; more would only queue in libuv's thread pool.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < keys.length) await this.delete(keys[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, keys.length) }, worker));
  }

  async listPage(prefix: string, token?: string, limit = MAX_PAGE): Promise<ListPage> {
    const pageSize = Math.min(Math.max(1, limit), MAX_PAGE);
    const items: ObjectInfo[] = [];
    try {
      for await (const { key, path } of walkKeys(this.root, prefix, token)) {
        if (items.length === pageSize) return { items, next: items[items.length - 1]!.key };
        const st = await stat(path).catch((err) => (code(err) === 'ENOENT' ? null : Promise.reject(err)));
        if (st) items.push({ key, size: st.size, mtimeMs: st.mtimeMs });
      }
    } catch (err) {
      throw this.fail('listPage', prefix, err);
    }
    return { items };
  }

  /** The directory exists (or can be created) and is writable. */
  async checkAccess(): Promise<void> {
    let dir = this.root;
    while (!(await stat(dir).catch(() => null))) {
      if (dirname(dir) === dir) break;
      dir = dirname(dir);
    }
    const st = await stat(dir).catch(() => null);
    if (!st?.isDirectory()) throw new StoreUnavailable(`${this.description}: ${dir} is not a directory`);
    try {
      await access(dir, constants.W_OK | constants.X_OK);
    } catch (err) {
      throw new StoreAccessDenied(`${this.description}: ${dir} is not writable`, { cause: err });
    }
  }

  async close(): Promise<void> {}

  private async writeAtomically(path: string, body: Uint8Array): Promise<void> {
    const tmp = join(dirname(path), `.tmp-${basename(path).slice(0, 32)}-${randomBytes(6).toString('hex')}`);
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await writeWhole(fh, body);
      await fh.sync();
    } catch (err) {
      await fh.close().catch(() => {});
      await unlink(tmp).catch(() => {});
      throw err;
    }
    await fh.close();
    try {
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    }
    await fsyncDir(dirname(path));
  }

  /** Removes directories emptied by a delete, up to the root; a concurrent put may refill one. */
  private async pruneEmptyDirs(dir: string): Promise<void> {
    while (dir.length > this.root.length && dir.startsWith(this.root)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty, or gone: either way, done
      }
      dir = dirname(dir);
    }
  }

  private fail(op: string, key: string, err: unknown): Error {
    if (err instanceof StoreError) return err; // an invalid key
    const c = code(err);
    const where = `${op} ${JSON.stringify(key)} on ${this.description}`;
    switch (c) {
      case 'ENOENT':
      case 'ENOTDIR':
      case 'EISDIR':
        if (op !== 'put' && op !== 'listPage') return new ObjectNotFound(key, { cause: err });
        break;
      case 'EACCES':
      case 'EPERM':
      case 'EROFS':
        return new StoreAccessDenied(`${where}: ${c}`, { cause: err });
      case 'EMFILE':
      case 'ENFILE':
      case 'EAGAIN':
      case 'EBUSY':
      case 'EINTR':
        return new StoreUnavailable(`${where}: ${c}`, { cause: err });
    }
    const hint = c === 'ENOTDIR' || c === 'EISDIR' || c === 'EEXIST' ? ' (a key cannot also be a prefix ending in "/" of another key)' : '';
    return new StoreError(`${where}: ${c ?? (err as Error).message}${hint}`, undefined, { cause: err });
  }
}


function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
