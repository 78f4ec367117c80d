import { mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { open, rename, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { readWhole, writeWhole } from '../fs-sync.js';
import type { Alloc } from '../store/types.js';
import { ByteLru } from './lru.js';

const ID_RE = /^[0-9a-f]{16}$/;
const TMP_PREFIX = '.tmp-';
/** Bytes of background writes queued at most; beyond it new entries are skipped (it is only a cache). */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;

/**
 * Clean chunks on local disk, one file per object id under `dir`, bounded by `limit` bytes
 * (LRU). Objects are immutable, so a file named by its id never goes stale. The index is
 * rebuilt from the directory on open (oldest mtime first), so the cache survives restarts;
 * hits refresh the file's mtime so that the order survives too. Files are written to a temp
 * name and renamed, so a crash leaves either a whole file or a temp file (removed on open);
 * readers verify the checksum anyway.
 */
export class DiskCache {
  private readonly index: ByteLru<true>;
  private readonly pending = new Set<Promise<void>>();
  private readonly writing = new Set<string>();
  private pendingBytes = 0;

  constructor(private readonly dir: string, limit: number) {
    mkdirSync(dir, { recursive: true });
    this.index = new ByteLru<true>(limit, (id) => this.track(unlink(this.path(id)).catch(() => {})));
    this.rebuild();
  }

  /** Bytes held on disk. */
  get bytes(): number {
    return this.index.bytes;
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  /** The file's bytes (read into `alloc(size)`), or null when absent or unreadable (the entry is forgotten then). */
  async get(id: string, alloc: Alloc = Buffer.allocUnsafe): Promise<Buffer | null> {
    if (!this.index.get(id)) return null;
    try {
      const data = await readWhole(this.path(id), alloc);
      const now = new Date();
      this.track(utimes(this.path(id), now, now).catch(() => {}));
      return data;
    } catch {
      this.index.delete(id);
      return null;
    }
  }

  /**
   * Stores a copy in the background; `settled()` waits for it. `done` runs once `data` is
   * no longer read (at once when it is not written).
   */
  put(id: string, data: Buffer, done: () => void = () => {}): void {
    if (this.index.has(id) || this.writing.has(id) || this.pendingBytes + data.length > MAX_PENDING_BYTES) return done();
    this.writing.add(id);
    this.pendingBytes += data.length;
    this.track(
      this.write(id, data).finally(() => {
        this.writing.delete(id);
        this.pendingBytes -= data.length;
        done();
      }),
    );
  }

  /** Forgets and deletes an entry (e.g. one that failed verification). */
  remove(id: string): void {
    if (this.index.delete(id)) this.track(unlink(this.path(id)).catch(() => {}));
  }

  /** Resolves when every background write and delete so far has finished. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private async write(id: string, data: Buffer): Promise<void> {
    const tmp = join(this.dir, `${TMP_PREFIX}${id}-${process.pid}`);
    try {
      const fh = await open(tmp, 'w');
      try {
        await writeWhole(fh, data);
      } finally {
        await fh.close();
      }
      await rename(tmp, this.path(id));
      this.index.set(id, true, data.length);
    } catch {
      // A full or failing cache disk only costs a later re-download.
      await unlink(tmp).catch(() => {});
    }
  }

  private rebuild(): void {
    const found: { id: string; size: number; mtimeMs: number }[] = [];
    for (const name of readdirSync(this.dir)) {
      const path = join(this.dir, name);
      if (name.startsWith(TMP_PREFIX)) {
        unlinkSync(path);
        continue;
      }
      if (!ID_RE.test(name)) continue;
      const st = statSync(path);
      if (st.isFile()) found.push({ id: name, size: st.size, mtimeMs: st.mtimeMs });
    }
    found.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const f of found) this.index.set(f.id, true, f.size);
  }

  private path(id: string): string {
    return join(this.dir, id);
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }
}
