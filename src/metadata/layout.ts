/**
 * Where things live in the store (under its prefix). The one place that spells keys, so
 * the on-store format is described by this file and README's "On-store format" section.
 */

/** The superblock: format version, filesystem uuid, chunk size, creation time. */
export const SUPERBLOCK_KEY = 'chunkfs.json';
/** Prefix of every chunk object. */
export const CHUNKS_PREFIX = 'chunks/';
/** Prefix of metadata snapshots and the lease. */
export const META_PREFIX = 'meta/';
/** The lease of the one writable mount. */
export const LEASE_KEY = 'meta/lock';

const OBJECT_ID = /^[0-9a-f]{16}$/;
const SNAPSHOT_KEY = /^meta\/(\d{12})\.db\.gz$/;
/** Snapshot sequence numbers are zero-padded to this many digits so keys sort by seq. */
const SEQ_DIGITS = 12;

/** True for a well-formed object id: 16 lowercase hex digits. */
export const isObjectId = (id: string): boolean => OBJECT_ID.test(id);

/**
 * The key of a chunk object: `chunks/<first 2 hex digits of id>/<id>`. The two-digit fan-out
 * spreads keys over 256 prefixes (S3 partitions by prefix; directory stores stay small).
 */
export function objectKey(id: string): string {
  if (!isObjectId(id)) throw new TypeError(`not an object id (16 hex digits): ${JSON.stringify(id)}`);
  return `${CHUNKS_PREFIX}${id.slice(0, 2)}/${id}`;
}

/** The object id in a chunk key, or null when the key is no chunk key. */
export function objectIdOfKey(key: string): string | null {
  const m = /^chunks\/([0-9a-f]{2})\/([0-9a-f]{16})$/.exec(key);
  return m && m[2]!.startsWith(m[1]!) ? m[2]! : null;
}

/** The key of metadata snapshot `seq`: `meta/<seq, 12 digits>.db.gz`. */
export function snapshotKey(seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 1 || seq >= 10 ** SEQ_DIGITS) throw new RangeError(`bad snapshot seq ${seq}`);
  return `${META_PREFIX}${String(seq).padStart(SEQ_DIGITS, '0')}.db.gz`;
}

/** The seq of a snapshot key, or null when the key is no snapshot (e.g. `meta/lock`). */
export function snapshotSeqOfKey(key: string): number | null {
  const m = SNAPSHOT_KEY.exec(key);
  return m ? Number(m[1]) : null;
}
