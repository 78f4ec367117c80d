import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openFileData } from '../chunker/file-data.js';
import type { FileData } from '../chunker/types.js';
import { FsError } from '../errors.js';
import { acquireLease, type Lease } from '../metadata/lease.js';
import { DEFAULT_SNAPSHOT_INTERVAL_MS, Snapshotter, deleteDueObjects, type UploadedSnapshot } from '../metadata/snapshot.js';
import { readSuperblock } from '../metadata/superblock.js';
import type { Metadata, Superblock } from '../metadata/types.js';
import type { ObjectStore } from '../store/types.js';
import { openLocalDb } from './local-db.js';
import type { Vfs } from './types.js';
import { ChunkVfs } from './vfs.js';

export { formatStore as formatFilesystem } from '../metadata/superblock.js';

export interface FilesystemOptions {
  store: ObjectStore;
  /** Local state: `<localDir>/<uuid>/meta.db` and, by default, the chunk cache. */
  localDir: string;
  /** Chunk cache and writeback journal (default `<localDir>/<uuid>/cache`). */
  cacheDir?: string;
  /** Bytes of clean chunks kept on disk. */
  cacheSize?: number;
  /** Whole chunks a writer uploaded are kept in the disk cache too (see FileDataOptions). */
  cacheLargeWrites?: boolean;
  /** close() returns once data is journaled locally; fsync still uploads. */
  writeback?: boolean;
  uploadConcurrency?: number;
  /** Period of metadata snapshots (default 10 minutes; 0 disables the timer). */
  snapshotIntervalMs?: number;
  /** Every mutating operation fails with EROFS; no lease, no snapshot, no journal replay. */
  readOnly?: boolean;
  /** Take the store's lease (default true unless readOnly). */
  lease?: boolean;
  /** Take over a live lease held by another mount. */
  forceLease?: boolean;
  /** Lease lifetime (tests shorten it). */
  leaseTtlMs?: number;
  /** Warnings (lease take-over, failed periodic snapshots); default console.warn. */
  warn?: (message: string) => void;
}

export interface Filesystem {
  readonly vfs: Vfs;
  readonly superblock: Superblock;
  /** The local state directory, `<localDir>/<uuid>`. */
  readonly stateDir: string;
  /** Uploads a metadata snapshot now and deletes the objects that became due. EROFS when read-only. */
  snapshotNow(): Promise<UploadedSnapshot>;
  /** Flushes every file, uploads a final snapshot, deletes due objects, releases the lease. Idempotent. */
  close(): Promise<void>;
}

/** What `openFilesystem` has opened so far, closed in reverse order if a later step fails. */
interface Opened {
  lease?: Lease;
  meta?: Metadata;
  data?: FileData;
}

/**
 * Opens the filesystem in `store`: superblock (NotFormatted passes through) -> lease ->
 * local database (see `openLocalDb`: restored from the newest snapshot when missing or
 * outdated, created for a fresh filesystem) -> chunk layer -> journal replay -> orphan
 * inodes destroyed -> periodic snapshots. A mount that loses its lease turns read-only.
 */
export async function openFilesystem(opts: FilesystemOptions): Promise<Filesystem> {
  const warn = opts.warn ?? ((m: string) => console.warn(m));
  const readOnly = opts.readOnly ?? false;
  const superblock = await readSuperblock(opts.store);
  const opened: Opened = {};
  // The lease may be lost before the vfs exists: the vfs is fenced as soon as it does.
  const fencing = new Fencing();
  try {
    if (opts.lease ?? !readOnly) {
      opened.lease = await acquireLease(opts.store, {
        force: opts.forceLease,
        ttlMs: opts.leaseTtlMs,
        warn,
        onLost: (err) => {
          warn(`chunkfs: lost the filesystem lease, the filesystem is read-only from now on: ${err.message}`);
          fencing.fence(`lease lost: ${err.message}`);
        },
      });
    }
    const stateDir = join(opts.localDir, superblock.uuid);
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const meta = (opened.meta = await openLocalDb(opts.store, join(stateDir, 'meta.db'), superblock, readOnly, warn));
    const data = (opened.data = await openFileData(opts.store, meta, {
      chunkSize: superblock.chunkSize,
      cacheDir: opts.cacheDir ?? join(stateDir, 'cache'),
      cacheSize: opts.cacheSize,
      cacheLargeWrites: opts.cacheLargeWrites,
      uploadConcurrency: opts.uploadConcurrency,
    }));
    if (!readOnly) await recoverAfterCrash(meta, data);
    const snapshotter = readOnly
      ? undefined
      : new Snapshotter(meta, opts.store, {
          intervalMs: opts.snapshotIntervalMs ?? DEFAULT_SNAPSHOT_INTERVAL_MS,
          onError: (err) => warn(`chunkfs: periodic metadata snapshot failed: ${String(err)}`),
          beforeSync: () => data.syncJournal(),
        });
    const lease = opened.lease;
    const vfs = new ChunkVfs(meta, data, {
      writeback: opts.writeback,
      readOnly,
      onClose: () => finish(meta, opts.store, snapshotter, lease),
    });
    fencing.attach(vfs);
    return {
      vfs,
      superblock,
      stateDir,
      snapshotNow: () => (snapshotter ? snapshotter.snapshotNow() : Promise.reject(new FsError('EROFS', 'read-only filesystem: no snapshots'))),
      close: () => vfs.close(),
    };
  } catch (err) {
    await abandon(opened);
    throw err;
  }
}

/** Turns the vfs read-only when the lease is lost, whether that happens before or after the vfs exists. */
class Fencing {
  private vfs: ChunkVfs | undefined;
  private reason: string | undefined;

  fence(reason: string): void {
    this.reason = reason;
    this.vfs?.fence(reason);
  }

  attach(vfs: ChunkVfs): void {
    this.vfs = vfs;
    if (this.reason !== undefined) vfs.fence(this.reason);
  }
}

/** Uploads chunks a crash left in the journal, then destroys inodes that were unlinked while open. */
async function recoverAfterCrash(meta: Metadata, data: FileData): Promise<void> {
  await data.recover();
  for (const ino of meta.orphanInodes()) {
    await data.drop(ino);
    meta.destroyInode(ino);
  }
}

/** The end of close(), once every file is flushed and the chunk layer closed. */
async function finish(meta: Metadata, store: ObjectStore, snapshotter: Snapshotter | undefined, lease: Lease | undefined): Promise<void> {
  try {
    // A mount that lost its lease no longer owns the store's metadata: it uploads and deletes nothing.
    if (snapshotter && !lease?.lost) {
      await snapshotter.close();
      // Deletions may be due from an earlier snapshot whose deletes failed.
      await deleteDueObjects(meta, store);
    }
  } finally {
    meta.close();
    await lease?.release();
  }
}

async function abandon(opened: Opened): Promise<void> {
  await opened.data?.close().catch(() => undefined);
  opened.meta?.close();
  await opened.lease?.release().catch(() => undefined);
}
