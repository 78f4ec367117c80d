import { FsError, type Errno } from '../errors.js';

/** Linux errno numbers, negated as fuse-native expects them. */
const NUMBERS: Record<Errno, number> = {
  EPERM: -1,
  ENOENT: -2,
  EIO: -5,
  E2BIG: -7,
  EBADF: -9,
  EACCES: -13,
  EBUSY: -16,
  EEXIST: -17,
  EXDEV: -18,
  ENOTDIR: -20,
  EISDIR: -21,
  EINVAL: -22,
  EFBIG: -27,
  ENOSPC: -28,
  EROFS: -30,
  EMLINK: -31,
  ERANGE: -34,
  ENAMETOOLONG: -36,
  ENOSYS: -38,
  ENOTEMPTY: -39,
  ELOOP: -40,
  ENODATA: -61,
  EOPNOTSUPP: -95,
  ENOTSUP: -95,
};

export const EIO = NUMBERS.EIO;

/** The negated errno of an errno name (EIO for a name chunkfs does not know). */
export const errnoNumber = (name: Errno): number => NUMBERS[name] ?? EIO;

export type Logger = (line: string) => void;

/**
 * Turns what a Vfs call rejected with into the negated errno fuse-native answers with.
 * An `FsError` maps by its errno name; anything else is a failure (store down, corrupt
 * chunk, bug) and becomes EIO. Each distinct failure is logged once with the operation
 * that met it, so a dead store does not flood the log with one line per read.
 */
export class ErrnoMapper {
  private readonly logged = new Set<string>();

  constructor(private readonly log: Logger, private readonly maxDistinct = 1000) {}

  toErrno(err: unknown, context: string): number {
    if (err instanceof FsError) return errnoNumber(err.errno);
    const code = (err as { code?: unknown } | null)?.code;
    const message = err instanceof Error ? err.message : String(err);
    const key = `${context.split(' ')[0]}\0${String(code)}\0${message}`;
    if (!this.logged.has(key)) {
      // Bounded: after this many distinct failures the set starts over rather than grow.
      if (this.logged.size >= this.maxDistinct) this.logged.clear();
      this.logged.add(key);
      const detail = err instanceof Error && !(typeof code === 'string') ? (err.stack ?? message) : message;
      this.log(`EIO in ${context}: ${code ? `${String(code)}: ` : ''}${detail}`);
    }
    return EIO;
  }
}
