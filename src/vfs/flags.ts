/** Linux open(2) flag numbers (x86-64 and arm64 agree on these). */
export const O_ACCMODE = 0o3;
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;

/** access(2) mask bits. */
export const F_OK = 0;
export const X_OK = 1;
export const W_OK = 2;
export const R_OK = 4;

export const canRead = (flags: number): boolean => (flags & O_ACCMODE) !== O_WRONLY;
export const canWrite = (flags: number): boolean => (flags & O_ACCMODE) === O_WRONLY || (flags & O_ACCMODE) === O_RDWR;

/**
 * The largest file size chunkfs accepts: 2^50 bytes (1 PiB). Offsets stay exact in a
 * JavaScript number (2^53) with room to spare, and chunk indexes stay below 2^30 even at
 * the smallest chunk size. A write or truncate past it is EFBIG.
 */
export const MAX_FILE_SIZE = 2 ** 50;

/** Longest symlink target (PATH_MAX - 1), as Linux allows. */
export const SYMLINK_MAX = 4095;
