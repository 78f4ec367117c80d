import type { Metadata } from '../metadata/types.js';

/**
 * File data as chunks. The vfs owns names, sizes and handles; this layer owns the bytes
 * of (inode, offset) ranges: the chunk cache, read-modify-write, dirty tracking and the
 * hand-off of dirty chunks to the uploader.
 *
 * Sizes: the vfs passes the file's current size where it matters; this layer never
 * changes an inode's size in the metadata except through `Metadata.commitChunks`'s
 * `sizeAtLeast` on upload.
 */
export interface FileData {
  /**
   * `length` bytes from `offset`, never past `fileSize` (short at the end). Holes and
   * all-zero chunks read as zeros. A chunk whose download fails its checksum rejects
   * with `CorruptChunk` (the vfs answers EIO). The buffer may be a view of a cached
   * chunk: callers must not modify it.
   */
  read(ino: number, fileSize: number, offset: number, length: number): Promise<Buffer>;
  /**
   * `read` without waiting, for the common case of a range inside one clean chunk that
   * memory holds: the bytes (a view of the cached chunk), or null when `read` is needed.
   */
  readCached(ino: number, fileSize: number, offset: number, length: number): Buffer | null;
  /**
   * Writes `data` at `offset` into the cached chunks (read-modify-write of partial
   * chunks) and marks them dirty. Waits (backpressure) while the dirty-bytes bound is reached.
   * Does not change the file size: the vfs does. `data` is copied before the promise
   * settles and not read afterwards, so the caller may reuse it then.
   */
  write(ino: number, offset: number, data: Buffer): Promise<void>;
  /**
   * The file is cut to `newSize` (from `oldSize`): cached and dirty chunks past it are
   * dropped, in-flight uploads of them are waited for, and the chunk holding the new end is
   * trimmed (read, cut, marked dirty) so that growing the file again reads zeros.
   * Growing (newSize > oldSize) costs nothing. Call it before the metadata takes the new
   * size: once it resolves, no upload of this layer can commit past `newSize` any more.
   */
  truncate(ino: number, oldSize: number, newSize: number): Promise<void>;
  /**
   * Uploads and commits every dirty chunk of `ino`, then resolves. Rejects with EIO (an
   * FsError) only once the store's retry budget is spent; the chunks stay dirty.
   */
  flush(ino: number): Promise<void>;
  /**
   * Writeback mode: writes every dirty chunk of `ino` to the local journal (cache dir),
   * where a daemon crash cannot lose it, and resolves; uploading goes on in the background.
   * The entries reach the disk with the page cache, as a local filesystem's closed files do.
   */
  journal(ino: number): Promise<void>;
  /**
   * Makes the journal's removals durable (and its files' names), not the chunks' bytes. Call before
   * syncing the metadata, so that a synced truncate or unlink never meets, after a power
   * cut, a journal entry it removed.
   */
  syncJournal(): Promise<void>;
  /** `flush` for every inode. */
  flushAll(): Promise<void>;
  /** Forgets every cached and dirty chunk of a destroyed inode (its metadata is gone). */
  drop(ino: number): Promise<void>;
  /**
   * Uploads chunks left in the journal by a crash; resolves when they are committed (each
   * raises its file's size to at least the chunk's end). Call once after opening, before
   * serving. Torn or corrupt entries are discarded with a log line. Rejects with EIO when
   * an entry cannot be uploaded; such entries stay in the journal for the next try.
   */
  recover(): Promise<{ chunks: number; bytes: number }>;
  /** Bytes written but not yet committed to the store. */
  dirtyBytes(): number;
  /** Bytes and objects uploaded since open (for status and umount's report). */
  uploadStats(): { objects: number; bytes: number };
  /** Flushes everything and releases resources. */
  close(): Promise<void>;
}

export interface FileDataOptions {
  chunkSize: number;
  /** Directory of the local disk cache and writeback journal. */
  cacheDir: string;
  /** Bytes of clean chunks kept on disk (LRU). Default 1 GiB. */
  cacheSize?: number;
  /**
   * Whole chunks a writer uploaded go to the disk cache too (not only to memory). Default
   * false: a large file written once is seldom read back soon, and caching it cost the
   * sequential write a fifth of the daemon's CPU.
   */
  cacheLargeWrites?: boolean;
  /** Bytes of clean chunks kept in memory (LRU). Default 64 MiB. */
  memCacheSize?: number;
  /** Parallel uploads. Default 16. */
  uploadConcurrency?: number;
  /** Bound on dirty bytes in memory; writers wait above it. Default 256 MiB. */
  maxDirtyBytes?: number;
  /** Chunks fetched ahead on sequential reads (never past the end of the file). Default 8. */
  readahead?: number;
}

/**
 * The part of the metadata this layer uses: the chunk map. Taking only these three methods
 * keeps the data path independent of the metadata engine (and easy to test).
 */
export type ChunkMap = Pick<Metadata, 'getChunk' | 'getChunks' | 'commitChunks'>;
