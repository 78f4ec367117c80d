import { FsError } from '../errors.js';
import type { Uploader } from '../uploader/uploader.js';
import type { CleanCache } from './cache.js';
import type { Journal } from './journal.js';

/**
 * Crash recovery of writeback mode (DESIGN invariant 4): every whole entry left in the
 * journal is uploaded and committed (raising its file's size to the chunk's end), then
 * removed. Entries that fail their checks are discarded by the scan with a log line. An
 * entry that cannot be uploaded stays for the next try, and the call rejects with EIO.
 */
export async function recoverJournal(
  journal: Journal,
  uploader: Uploader,
  cache: CleanCache,
  chunkSize: number,
): Promise<{ chunks: number; bytes: number }> {
  const { entries } = await journal.scan();
  let chunks = 0;
  let bytes = 0;
  const results = await Promise.allSettled(
    entries.map(async (e) => {
      if (e.data.length > chunkSize) {
        // Whole and checksummed, yet no chunk of this filesystem: not ours to commit.
        console.error(`chunkfs: discarding journal entry ino=${e.ino} idx=${e.idx}: ${e.data.length} bytes exceed the chunk size ${chunkSize}`);
        await journal.removeRecovered(e.ino, e.idx);
        return;
      }
      const update = await uploader.upload(e.ino, e.idx, e.data);
      if (update.objectId !== null) cache.put(update.objectId, e.data);
      await journal.removeRecovered(e.ino, e.idx);
      chunks++;
      bytes += e.data.length;
    }),
  );
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length) {
    const cause: unknown = failed[0].reason;
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new FsError('EIO', `${failed.length} of ${entries.length} journaled chunks could not be uploaded (kept for the next try): ${why}`, { cause });
  }
  return { chunks, bytes };
}
