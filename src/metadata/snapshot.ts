import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { listAll, type ObjectStore } from '../store/types.js';
import { MetadataError } from './errors.js';
import { META_PREFIX, objectKey, snapshotKey, snapshotSeqOfKey } from './layout.js';
import type { Metadata } from './types.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export const DEFAULT_KEEP = 5;
export const DEFAULT_SNAPSHOT_INTERVAL_MS = 10 * 60 * 1000;
/** Pending deletions handled per store request. */
const DELETE_BATCH = 1000;

export interface UploadOptions {
  /** Snapshots kept in the store, the newest ones (default 5, at least 1). */
  keep?: number;
}

export interface UploadedSnapshot {
  seq: number;
  key: string;
  /** Compressed bytes uploaded. */
  bytes: number;
}

/**
 * Takes a snapshot of the metadata, uploads it gzipped as `meta/<seq>.db.gz`, records it
 * as uploaded (which makes the deletions retired before it due), then deletes the oldest
 * snapshots beyond the newest `keep`.
 */
export async function uploadSnapshot(meta: Metadata, store: ObjectStore, opts: UploadOptions = {}): Promise<UploadedSnapshot> {
  const { seq, db } = await meta.takeSnapshot();
  const body = await gzipAsync(db);
  const key = snapshotKey(seq);
  // A store whose snapshots are as new as this one was written by another copy of the
  // metadata: overwriting or outranking them would lose that copy's changes.
  const newest = (await listSnapshots(store)).pop() ?? 0;
  if (newest >= seq) {
    throw new MetadataError(`the store already holds snapshot ${newest}, not older than local snapshot ${seq}: the local metadata is stale (restore it from the store)`);
  }
  await store.put(key, body);
  meta.snapshotUploaded(seq);
  await pruneSnapshots(store, Math.max(1, opts.keep ?? DEFAULT_KEEP));
  return { seq, key, bytes: body.length };
}

/** Seqs of the snapshots in the store, ascending. */
export async function listSnapshots(store: ObjectStore): Promise<number[]> {
  const seqs: number[] = [];
  for await (const { key } of listAll(store, META_PREFIX)) {
    const seq = snapshotSeqOfKey(key);
    if (seq !== null) seqs.push(seq);
  }
  return seqs.sort((a, b) => a - b);
}

/** Deletes every snapshot but the newest `keep`. */
export async function pruneSnapshots(store: ObjectStore, keep: number): Promise<number[]> {
  const seqs = await listSnapshots(store);
  const old = seqs.slice(0, Math.max(0, seqs.length - keep));
  if (old.length > 0) await store.deleteMany(old.map(snapshotKey));
  return old;
}

/**
 * Downloads the newest snapshot and puts it at `dbPath` atomically (a temp file renamed
 * over it; a stale `-wal`/`-shm` of an older database there is removed, since SQLite would
 * apply it to the new file). Returns the snapshot's seq, or null when the store has none
 * (then `dbPath` is untouched).
 */
export async function restoreLatestSnapshot(store: ObjectStore, dbPath: string): Promise<number | null> {
  const seqs = await listSnapshots(store);
  const seq = seqs[seqs.length - 1];
  if (seq === undefined) return null;
  const db = await downloadSnapshot(store, seq);
  const tmp = `${dbPath}.restore-${randomBytes(4).toString('hex')}`;
  try {
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(db);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await Promise.all(['-wal', '-shm', '-journal'].map((s) => rm(dbPath + s, { force: true })));
    await rename(tmp, dbPath);
  } finally {
    await rm(tmp, { force: true });
  }
  return seq;
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** The database bytes of snapshot `seq`; MetadataError when they are no database. */
async function downloadSnapshot(store: ObjectStore, seq: number): Promise<Buffer> {
  const key = snapshotKey(seq);
  const body = await store.get(key); // store failures pass through as they are
  let db: Buffer;
  try {
    db = await gunzipAsync(body);
  } catch (err) {
    throw new MetadataError(`snapshot ${key} is corrupt (not gzip)`, { cause: err });
  }
  if (!db.subarray(0, SQLITE_HEADER.length).equals(SQLITE_HEADER)) throw new MetadataError(`snapshot ${key} is corrupt (no SQLite database)`);
  return db;
}

/**
 * Deletes from the store the objects whose deletion is due (retired before an uploaded
 * snapshot), then forgets them. Returns how many were deleted.
 */
export async function deleteDueObjects(meta: Metadata, store: ObjectStore): Promise<number> {
  let deleted = 0;
  for (;;) {
    const due = meta.dueDeletions(DELETE_BATCH);
    if (due.length === 0) return deleted;
    await store.deleteMany(due.map((d) => objectKey(d.objectId)));
    meta.forgetDeletions(due.map((d) => d.objectId));
    deleted += due.length;
  }
}

export interface SnapshotterOptions extends UploadOptions {
  /** Period of the automatic snapshot (default 10 minutes); 0 disables it. */
  intervalMs?: number;
  /** Told about a failed periodic snapshot (the next period tries again). */
  onError?: (err: unknown) => void;
  /**
   * Runs before each snapshot syncs the metadata: what must be durable no later than the
   * metadata is (the writeback journal's removals) is synced here.
   */
  beforeSync?: () => Promise<void>;
}

/**
 * Uploads snapshots periodically (only when the metadata changed), on demand, and at
 * close; after each upload, deletes the objects that became due. Uploads never overlap.
 */
export class Snapshotter {
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly meta: Metadata, private readonly store: ObjectStore, private readonly opts: SnapshotterOptions = {}) {
    const every = opts.intervalMs ?? DEFAULT_SNAPSHOT_INTERVAL_MS;
    if (every > 0) {
      this.timer = setInterval(() => {
        this.snapshotIfChanged().catch((err) => this.opts.onError?.(err));
      }, every);
      // The mount, not this timer, decides how long the process lives.
      this.timer.unref();
    }
  }

  /** Uploads a snapshot now (even when nothing changed) and deletes due objects. */
  snapshotNow(): Promise<UploadedSnapshot> {
    return this.serial(() => this.upload());
  }

  /** Uploads a snapshot if anything changed since the last one; null otherwise. */
  snapshotIfChanged(): Promise<UploadedSnapshot | null> {
    return this.serial(() => (this.meta.changedSinceSnapshot() ? this.upload() : Promise.resolve(null)));
  }

  /** Stops the timer and uploads a final snapshot if anything changed. Call before closing the metadata. */
  async close(): Promise<UploadedSnapshot | null> {
    if (this.closed) return null;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    return this.snapshotIfChanged();
  }

  private async upload(): Promise<UploadedSnapshot> {
    await this.opts.beforeSync?.();
    const done = await uploadSnapshot(this.meta, this.store, this.opts);
    await deleteDueObjects(this.meta, this.store);
    return done;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
