import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChunkfsError } from '../errors.js';
import { copyDatabase } from '../metadata/checks-sqlite.js';
import { restoreLatestSnapshot } from '../metadata/snapshot.js';
import { openMetadata } from '../metadata/sqlite.js';
import type { Superblock } from '../metadata/types.js';
import type { ObjectStore } from '../store/types.js';

/** Neither a local database nor a snapshot in the store: nothing to check. Code `ERR_NO_METADATA`. */
export class NoMetadata extends ChunkfsError {
  constructor(where: string) {
    super('ERR_NO_METADATA', `no metadata to check: no local database ${where} and no snapshot in the store`);
  }
}

export interface WorkingDb {
  source: 'local' | 'snapshot';
  /** The database the checks read and repair. */
  dbPath: string;
  /** The local database, when there is one. */
  localPath: string;
  /** Removes the working copy, if one was made. */
  cleanup(): Promise<void>;
}

/** `<localDir>/<uuid>/meta.db`, where a mount keeps the filesystem's database. */
export const localDbPath = (localDir: string, sb: Superblock): string => join(localDir, sb.uuid, 'meta.db');

/**
 * The database fsck works on. The local one if present (same place as the mount's), else
 * the newest snapshot in the store, downloaded to a temporary file. Without `repair` a
 * local database is copied first, so the real one is never written.
 */
export async function openWorkingDb(store: ObjectStore, sb: Superblock, localDir: string, repair: boolean): Promise<WorkingDb> {
  const localPath = localDbPath(localDir, sb);
  if (existsSync(localPath) && repair) {
    openMetadata(localPath, sb).close(); // identity and schema, before anything is changed
    return { source: 'local', dbPath: localPath, localPath, cleanup: async () => undefined };
  }
  const tmp = mkdtempSync(join(tmpdir(), 'chunkfs-fsck-'));
  const cleanup = () => rm(tmp, { recursive: true, force: true });
  try {
    const dbPath = join(tmp, 'meta.db');
    let source: WorkingDb['source'] = 'local';
    if (existsSync(localPath)) await copyDatabase(localPath, dbPath);
    else {
      source = 'snapshot';
      if ((await restoreLatestSnapshot(store, dbPath)) === null) throw new NoMetadata(localPath);
    }
    openMetadata(dbPath, sb).close();
    return { source, dbPath, localPath, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
