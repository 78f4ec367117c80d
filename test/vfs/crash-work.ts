/**
 * What the crash child writes and the crash tests check: deterministic contents, so both
 * sides compute them without passing data around.
 */
export const MiB = 1024 * 1024;
/** Files written, made durable and acknowledged before the crash point is armed. */
export const ACKED_FILES = 4;

/** The crash points the child can stop at. */
export type CrashPoint =
  /** A chunk PUT reached the store; the child dies before committing it. */
  | 'after-put'
  /** Chunks committed (old objects retired); the child dies before the metadata snapshot is uploaded. */
  | 'before-snapshot'
  /** Snapshot uploaded; the child dies before deleting the retired objects. */
  | 'before-delete'
  /** No stop: the parent kills the child while it copies a large file. */
  | 'mid-copy'
  /** Writeback mode: files closed (journaled) while no chunk PUT can finish; killed with nothing uploaded. */
  | 'writeback-journal';

export function contents(i: number): Buffer {
  const len = 300_000 + i * 700_000;
  const b = Buffer.alloc(len);
  for (let k = 0; k < len; k++) b[k] = (k * (2 * i + 3) + (k >>> 10) + i) & 0xff;
  return b;
}

/** The victim file before (1) and after (2) its unacknowledged overwrite: two full chunks. */
export function victim(version: 1 | 2): Buffer {
  return Buffer.alloc(2 * MiB, version === 1 ? 0x11 : 0x22);
}

export const ackedName = (i: number) => `acked-${i}`;
