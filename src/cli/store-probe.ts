import { NotFormatted } from '../errors.js';
import { formatStore, readSuperblock } from '../metadata/superblock.js';
import { snapshotKey } from '../metadata/layout.js';
import { listSnapshots } from '../metadata/snapshot.js';
import type { Superblock } from '../metadata/types.js';
import type { ObjectStore } from '../store/types.js';

/**
 * The store's superblock. The embedded default store is formatted on first use; any
 * other store must have been formatted (NotFormatted otherwise).
 */
export async function superblockOf(store: ObjectStore, embedded: boolean): Promise<Superblock> {
  try {
    return await readSuperblock(store);
  } catch (err) {
    if (!(embedded && err instanceof NotFormatted)) throw err;
    return formatStore(store);
  }
}

/** The newest metadata snapshot in the store, or undefined when there is none yet. */
export async function lastSnapshot(store: ObjectStore): Promise<{ seq: number; atMs: number } | undefined> {
  const seqs = await listSnapshots(store);
  const seq = seqs[seqs.length - 1];
  if (seq === undefined) return undefined;
  const info = await store.head(snapshotKey(seq));
  return info ? { seq, atMs: info.mtimeMs } : undefined;
}
