import { CorruptChunk, FsError, fsError } from '../errors.js';

/**
 * The vfs's error rule: POSIX outcomes pass as they are; a chunk that failed its checksum
 * becomes EIO (never wrong bytes, DESIGN invariant 5); anything else is left for the caller,
 * which reports it as EIO and logs it.
 */
export function toFsError(err: unknown): unknown {
  if (err instanceof FsError) return err;
  if (err instanceof CorruptChunk) return new FsError('EIO', err.message, { cause: err });
  return err;
}

/** Runs `fn`, translating its failure by `toFsError`. */
export async function translating<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toFsError(err);
  }
}

export function isValidOffset(offset: number): boolean {
  return Number.isSafeInteger(offset) && offset >= 0;
}

export function checkOffset(offset: number): void {
  if (!isValidOffset(offset)) throw fsError('EINVAL', `bad offset ${offset}`);
}
