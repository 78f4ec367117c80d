import { join } from 'node:path';
import { openFileData } from '../chunker/file-data.js';
import { readJournal } from '../chunker/journal-read.js';
import { openMetadata } from '../metadata/sqlite.js';
import type { Superblock } from '../metadata/types.js';
import type { ObjectStore } from '../store/types.js';
import type { FindingInput } from './types.js';

/** The journal of a cache dir (where the chunk layer keeps it). */
export const journalDir = (cacheDir: string): string => join(cacheDir, 'journal');

/** Dirty chunks left in the journal, without touching them. */
export async function countJournal(cacheDir: string): Promise<number> {
  return (await readJournal(journalDir(cacheDir))).entries.length;
}

/**
 * Step 1 of fsck: dirty chunks a crash left in the local journal. With `repair` they are
 * uploaded and committed to the database at `dbPath` (the chunk layer's own recovery, as
 * the next mount would do); without, they are only counted.
 */
export async function recoverJournal(opts: {
  store: ObjectStore;
  superblock: Superblock;
  dbPath: string;
  cacheDir: string;
  repair: boolean;
}): Promise<FindingInput | null> {
  const entries = await countJournal(opts.cacheDir);
  if (entries === 0) return null;
  const message = `${entries} dirty chunk(s) left in the journal ${journalDir(opts.cacheDir)} by a crash`;
  const action = 'upload and commit them';
  if (!opts.repair) return { message, action };
  const meta = openMetadata(opts.dbPath, opts.superblock);
  try {
    const data = await openFileData(opts.store, meta, { chunkSize: opts.superblock.chunkSize, cacheDir: opts.cacheDir });
    try {
      const done = await data.recover();
      return { message: `${done.chunks} dirty chunk(s), ${done.bytes} bytes, left in the journal ${journalDir(opts.cacheDir)} by a crash`, action };
    } finally {
      await data.close();
    }
  } finally {
    meta.close();
  }
}
