import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { FileStore } from '../../src/store/file.js';
import { MemStore } from '../../src/store/mem.js';
import type { ObjectStore, StoreOp } from '../../src/store/types.js';
import { StoreWrapper, type StoreCall } from '../../src/store/wrapper.js';
import { ROOT_INO, type Attr, type ChunkRef, type Metadata, type Superblock } from '../../src/metadata/types.js';
import { openMetadata } from '../../src/metadata/sqlite.js';
import { formatStore } from '../../src/metadata/superblock.js';
import { openFilesystem, type Filesystem, type FilesystemOptions } from '../../src/vfs/filesystem.js';
import type { Caller, Vfs } from '../../src/vfs/types.js';
import { tempDir } from './tmp.js';

/** The caller most tests act as: an ordinary user, who owns the root directory of a fixture. */
export const ME: Caller = { uid: 1000, gid: 1000 };
export const ROOT: Caller = { uid: 0, gid: 0 };

export interface FixtureOptions extends Partial<Omit<FilesystemOptions, 'store' | 'localDir'>> {
  /** `mem` (default) or `file` (a FileStore in a temp dir). */
  backend?: 'mem' | 'file';
  /** Chunk size the store is formatted with (default 1 MiB, the smallest). */
  chunkSize?: number;
  /** Wraps the raw store (counting, fault injection) before the filesystem sees it. */
  wrap?: (raw: ObjectStore) => ObjectStore;
}

export interface FsFixture {
  fs: Filesystem;
  vfs: Vfs;
  /** The store the filesystem uses (wrapped, when `wrap` was given). */
  store: ObjectStore;
  /** The unwrapped store. */
  raw: ObjectStore;
  /** The store directory of a `file` backend. */
  storeDir?: string;
  localDir: string;
  /** The filesystem's local state dir, `<localDir>/<uuid>`. */
  stateDir: string;
  /** Closes the filesystem (if open) and opens it again with the same (or changed) options. */
  reopen(opts?: Partial<FixtureOptions>): Promise<void>;
  /**
   * The inode's attributes as committed in the local metadata database, read through a
   * second connection (what a crash now would leave), bypassing the vfs's open-file state.
   */
  committed(ino: number): Attr;
  /** The chunk map of `ino` as committed (through a second metadata connection). */
  chunks(ino: number): ChunkRef[];
  /**
   * Forgets the open filesystem without closing it, as a crash would leave things: no final
   * flush, snapshot or lease release. Reopen with `forceLease` (this process still holds the lease).
   */
  abandon(): void;
  /** Closes the filesystem; idempotent. */
  close(): Promise<void>;
}

/**
 * A formatted store with a filesystem open on it, closed when test `t` ends (pass, fail or
 * throw). Without `t`, the caller closes it.
 */
export async function openFixture(t: TestContext | undefined, opts: FixtureOptions = {}): Promise<FsFixture> {
  // Registered before the temp dir, so the filesystem closes before its directory goes.
  let closeAll = async (): Promise<void> => {};
  t?.after(() => closeAll());
  const base = tempDir('chunkfs-vfs');
  const storeDir = opts.backend === 'file' ? join(base, 'store') : undefined;
  const raw: ObjectStore = storeDir ? new FileStore(storeDir) : new MemStore();
  const store = opts.wrap ? opts.wrap(raw) : raw;
  const sb = await formatStore(raw, { chunkSize: opts.chunkSize ?? 1024 * 1024 });
  const localDir = join(base, 'local');
  let current = { ...opts };
  let open: Filesystem | undefined = await openFilesystem({ ...fsOptions(current), store, localDir });
  await open.vfs.setattr(ROOT_INO, { uid: ME.uid, gid: ME.gid }, ROOT);
  const fixture: FsFixture = {
    fs: open,
    vfs: open.vfs,
    store,
    raw,
    storeDir,
    localDir,
    stateDir: join(localDir, sb.uuid),
    async reopen(more = {}) {
      await fixture.close();
      current = { ...current, ...more };
      open = await openFilesystem({ ...fsOptions(current), store, localDir });
      fixture.fs = open;
      fixture.vfs = open.vfs;
    },
    committed(ino) {
      return peek(fixture.stateDir, sb, (meta) => meta.getattr(ino));
    },
    chunks(ino) {
      return peek(fixture.stateDir, sb, (meta) => meta.getChunks(ino, 0, Number.MAX_SAFE_INTEGER));
    },
    abandon() {
      open = undefined;
    },
    async close() {
      const fs = open;
      open = undefined;
      await fs?.close();
    },
  };
  closeAll = () => fixture.close();
  return fixture;
}

function peek<T>(stateDir: string, sb: Superblock, fn: (meta: Metadata) => T): T {
  const meta = openMetadata(join(stateDir, 'meta.db'), sb);
  try {
    return fn(meta);
  } finally {
    meta.close();
  }
}

function fsOptions(opts: FixtureOptions): Partial<FilesystemOptions> {
  const { backend: _b, chunkSize: _c, wrap: _w, ...rest } = opts;
  return { snapshotIntervalMs: 3_600_000, ...rest };
}

/** A store wrapper that records the keys of the calls that reach it (per operation), for assertions on which objects moved. */
export class KeyLog extends StoreWrapper {
  readonly calls: { op: StoreOp; key: string; bytesUp: number }[] = [];

  /** Keys of chunk objects PUT since the log was last cleared. */
  chunkPuts(): { key: string; bytes: number }[] {
    return this.calls.filter((c) => c.op === 'put' && c.key.startsWith('chunks/')).map((c) => ({ key: c.key, bytes: c.bytesUp }));
  }

  clear(): void {
    this.calls.length = 0;
  }

  protected around<T>(call: StoreCall, run: () => Promise<T>): Promise<T> {
    this.calls.push({ op: call.op, key: call.key, bytesUp: call.bytesUp });
    return run();
  }
}
