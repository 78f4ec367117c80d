/**
 * Errors in two tiers (see STYLE.md):
 * - internal errors are classes with a stable `code` and an optional `cause`;
 * - POSIX outcomes are `FsError`s carrying an errno name (`ENOENT`, ...).
 * Only `src/fuse` turns errno names into fuse-native numbers; anything that is not an
 * `FsError` becomes EIO there and is logged.
 *
 * Stable codes:
 * | code                  | meaning |
 * | --------------------- | ------- |
 * | ERR_OBJECT_NOT_FOUND  | the store has no object under that key |
 * | ERR_STORE_UNAVAILABLE | the store could not be reached or kept failing (retries spent) |
 * | ERR_STORE_ACCESS      | the store refused the credentials or the request (403) |
 * | ERR_BUCKET_NOT_FOUND  | the bucket does not exist |
 * | ERR_STORE             | any other store failure (carries the HTTP status when there is one) |
 * | ERR_CORRUPT_CHUNK     | a downloaded chunk failed its length or xxh64 check |
 * | ERR_NOT_FORMATTED     | the store holds no chunkfs filesystem |
 * | ERR_ALREADY_FORMATTED | the store already holds a chunkfs filesystem |
 * | ERR_LEASE_HELD        | another writable mount holds the filesystem's lease |
 * | ERR_USAGE             | a user mistake on the command line or in a URL/option |
 * | ERR_FS                | a POSIX outcome; `errno` names it |
 */
export class ChunkfsError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Linux errno names that chunkfs returns. */
export type Errno =
  | 'EPERM' | 'ENOENT' | 'EIO' | 'EBADF' | 'EACCES' | 'EEXIST' | 'EXDEV' | 'ENOTDIR'
  | 'EISDIR' | 'EINVAL' | 'EFBIG' | 'ENOSPC' | 'EROFS' | 'EMLINK' | 'ERANGE'
  | 'ENAMETOOLONG' | 'ENOSYS' | 'ENOTEMPTY' | 'ELOOP' | 'ENODATA' | 'EOPNOTSUPP'
  | 'EBUSY' | 'E2BIG' | 'ENOTSUP';

export class FsError extends ChunkfsError {
  readonly errno: Errno;
  constructor(errno: Errno, message?: string, options?: { cause?: unknown }) {
    // A POSIX outcome (ENOENT of a lookup, ENODATA of a getxattr) is an answer, not a
    // fault: thousands per second in a listing, where capturing a stack trace was a
    // measured 10% of the CPU. EIO keeps its stack, since it reports a failure.
    const limit = Error.stackTraceLimit;
    if (errno !== 'EIO') Error.stackTraceLimit = 0;
    try {
      super('ERR_FS', message ?? errno, options);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.errno = errno;
  }
}

export const fsError = (errno: Errno, message?: string): FsError => new FsError(errno, message);

/** True when `err` is the POSIX outcome `errno`. */
export const isErrno = (err: unknown, errno: Errno): boolean => err instanceof FsError && err.errno === errno;

export class ObjectNotFound extends ChunkfsError {
  readonly key: string;
  constructor(key: string, options?: { cause?: unknown }) {
    super('ERR_OBJECT_NOT_FOUND', `object not found: ${key}`, options);
    this.key = key;
  }
}

export class StoreUnavailable extends ChunkfsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_STORE_UNAVAILABLE', message, options);
  }
}

export class StoreAccessDenied extends ChunkfsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_STORE_ACCESS', message, options);
  }
}

export class BucketNotFound extends ChunkfsError {
  readonly bucket: string;
  constructor(bucket: string, options?: { cause?: unknown }) {
    super('ERR_BUCKET_NOT_FOUND', `bucket does not exist: ${bucket}`, options);
    this.bucket = bucket;
  }
}

export class StoreError extends ChunkfsError {
  /** HTTP status when the failure came from an HTTP store. */
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super('ERR_STORE', message, options);
    this.status = status;
  }
}

export class CorruptChunk extends ChunkfsError {
  readonly objectId: string;
  constructor(objectId: string, message: string) {
    super('ERR_CORRUPT_CHUNK', `corrupt chunk object ${objectId}: ${message}`);
    this.objectId = objectId;
  }
}

export class NotFormatted extends ChunkfsError {
  constructor(where: string) {
    super('ERR_NOT_FORMATTED', `${where} does not hold a chunkfs filesystem (run \`chunkfs format\` first)`);
  }
}

export class AlreadyFormatted extends ChunkfsError {
  constructor(where: string) {
    super('ERR_ALREADY_FORMATTED', `${where} already holds a chunkfs filesystem (use --force to format it anew)`);
  }
}

export class LeaseHeld extends ChunkfsError {
  readonly holder: string;
  constructor(holder: string, message?: string) {
    super('ERR_LEASE_HELD', message ?? `filesystem is mounted writable by ${holder}`);
    this.holder = holder;
  }
}

export class UsageError extends ChunkfsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_USAGE', message, options);
  }
}

/** True for errors that are a user's or the environment's fault and print as one line. */
export const isUserFacing = (err: unknown): err is ChunkfsError =>
  err instanceof ChunkfsError && !isErrno(err, 'EIO');
