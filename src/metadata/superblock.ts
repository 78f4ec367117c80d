import { randomUUID } from 'node:crypto';
import { AlreadyFormatted, NotFormatted, ObjectNotFound, UsageError } from '../errors.js';
import { listAll, type ObjectStore } from '../store/types.js';
import { SuperblockError } from './errors.js';
import { CHUNKS_PREFIX, META_PREFIX, SUPERBLOCK_KEY } from './layout.js';
import type { Superblock } from './types.js';

export { createFilesystemDb, type CreateOptions } from './sqlite-create.js';

/** The on-store format this code writes and reads. */
export const FORMAT_VERSION = 1;
export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
export const MIN_CHUNK_SIZE = 1024 * 1024;
export const MAX_CHUNK_SIZE = 64 * 1024 * 1024;

export interface FormatOptions {
  /** Bytes per chunk: a power of two from 1 MiB to 64 MiB (default 4 MiB). */
  chunkSize?: number;
  /** Format a store that already holds a filesystem, deleting its chunks and snapshots. */
  force?: boolean;
}

/** UsageError unless `n` is a power of two from 1 MiB to 64 MiB. */
export function checkChunkSize(n: number): void {
  const pow2 = Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0;
  if (!pow2 || n < MIN_CHUNK_SIZE || n > MAX_CHUNK_SIZE) {
    throw new UsageError(`chunk size must be a power of two from 1 MiB to 64 MiB, not ${n}`);
  }
}

/**
 * Makes `store` a new, empty chunkfs filesystem by writing its superblock. A store that
 * already holds one is refused with AlreadyFormatted unless `force`; with `force`, the old
 * filesystem's chunks and snapshots (and lease) are deleted first, so that no snapshot of
 * the old filesystem can be restored into the new one.
 */
export async function formatStore(store: ObjectStore, opts: FormatOptions = {}): Promise<Superblock> {
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  checkChunkSize(chunkSize);
  if ((await store.head(SUPERBLOCK_KEY)) !== null) {
    if (!opts.force) throw new AlreadyFormatted(store.description);
    for (const prefix of [META_PREFIX, CHUNKS_PREFIX]) await deletePrefix(store, prefix);
  }
  const sb: Superblock = { formatVersion: FORMAT_VERSION, uuid: randomUUID(), chunkSize, createdMs: Date.now() };
  await store.put(SUPERBLOCK_KEY, Buffer.from(JSON.stringify(sb, null, 2) + '\n'));
  return sb;
}

async function deletePrefix(store: ObjectStore, prefix: string): Promise<void> {
  let batch: string[] = [];
  for await (const { key } of listAll(store, prefix)) {
    batch.push(key);
    if (batch.length === 1000) {
      await store.deleteMany(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await store.deleteMany(batch);
}

/**
 * The store's superblock. NotFormatted when there is none; SuperblockError when it is
 * malformed or of a newer format than this code reads.
 */
export async function readSuperblock(store: ObjectStore): Promise<Superblock> {
  let body: Buffer;
  try {
    body = await store.get(SUPERBLOCK_KEY);
  } catch (err) {
    if (err instanceof ObjectNotFound) throw new NotFormatted(store.description);
    throw err;
  }
  return parseSuperblock(body, `${store.description} ${SUPERBLOCK_KEY}`);
}

/** Validates a superblock's JSON. */
export function parseSuperblock(body: Buffer, where: string): Superblock {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new SuperblockError(`${where} is not valid JSON`, { cause: err });
  }
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const bad = (field: string) => new SuperblockError(`${where} is malformed: bad or missing ${field}`);
  if (!Number.isSafeInteger(o.formatVersion) || (o.formatVersion as number) < 1) throw bad('formatVersion');
  if ((o.formatVersion as number) > FORMAT_VERSION) {
    throw new SuperblockError(`${where} has format version ${o.formatVersion}; this chunkfs reads up to ${FORMAT_VERSION} (upgrade chunkfs)`);
  }
  if (typeof o.uuid !== 'string' || !/^[0-9a-f-]{36}$/i.test(o.uuid)) throw bad('uuid');
  if (typeof o.chunkSize !== 'number') throw bad('chunkSize');
  try {
    checkChunkSize(o.chunkSize);
  } catch {
    throw bad('chunkSize');
  }
  if (!Number.isSafeInteger(o.createdMs)) throw bad('createdMs');
  return { formatVersion: o.formatVersion as number, uuid: o.uuid, chunkSize: o.chunkSize, createdMs: o.createdMs as number };
}
