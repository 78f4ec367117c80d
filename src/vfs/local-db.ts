import { existsSync } from 'node:fs';
import { MetadataError } from '../metadata/errors.js';
import { listSnapshots, restoreLatestSnapshot } from '../metadata/snapshot.js';
import { openMetadata } from '../metadata/sqlite.js';
import { createFilesystemDb } from '../metadata/superblock.js';
import type { Metadata, Superblock } from '../metadata/types.js';
import type { ObjectStore } from '../store/types.js';

/**
 * The mount commits without an fsync each; the vfs makes commits durable with
 * `Metadata.sync()` where POSIX promises durability (fsync, fsyncdir, close by default).
 */
const LAZY = { synchronous: 'normal' } as const;

/**
 * Opens the local metadata database, bringing it from the store when needed:
 * - missing: restored from the newest snapshot, or created when the store has none (a
 *   freshly formatted filesystem);
 * - older than the store's newest snapshot (another machine mounted the filesystem since)
 *   and without changes of its own: replaced by that snapshot;
 * - older and with changes of its own: two copies diverged; a writable mount refuses
 *   (MetadataError) rather than lose either, a read-only mount reads the local copy.
 */
export async function openLocalDb(store: ObjectStore, dbPath: string, sb: Superblock, readOnly: boolean, warn: (m: string) => void): Promise<Metadata> {
  if (!existsSync(dbPath)) {
    const restored = await restoreLatestSnapshot(store, dbPath);
    if (restored === null) createFilesystemDb(dbPath, sb);
    return openMetadata(dbPath, sb, LAZY);
  }
  const meta = openMetadata(dbPath, sb, LAZY);
  const newest = (await listSnapshots(store)).pop() ?? 0;
  const local = meta.lastUploadedSnapshot();
  if (newest <= local) return meta;
  if (meta.changedSinceSnapshot()) {
    const message = `local metadata ${dbPath} (snapshot ${local}) has changes the store lacks, and the store holds a newer snapshot ${newest} from another mount`;
    if (readOnly) {
      warn(`chunkfs: ${message}; reading the local copy`);
      return meta;
    }
    meta.close();
    throw new MetadataError(`${message}: move the local copy away to mount the store's version`);
  }
  meta.close();
  await restoreLatestSnapshot(store, dbPath);
  return openMetadata(dbPath, sb, LAZY);
}
