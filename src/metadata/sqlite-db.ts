import Database from 'better-sqlite3';
import type { Attr, InodeKind } from './types.js';

/**
 * The SQLite handle and what every part of the engine shares: the prepared-statement
 * cache and the row <-> Attr mapping. Nothing here leaves `src/metadata`.
 */

export type Db = Database.Database;

/**
 * `full` (default): every commit is on disk when it returns (DESIGN invariant 4: an
 * fsync()ed file's metadata survives a power cut). `normal`: WAL commits are synced at
 * checkpoints only; a power cut may lose the latest commits, never corrupt the database.
 */
export type Synchronous = 'full' | 'normal';

/** Opens a database file with chunkfs's pragmas: WAL, the chosen synchronous level. */
export function openDb(path: string, opts: { mustExist: boolean; synchronous?: Synchronous }): Db {
  const db = new Database(path, { fileMustExist: opts.mustExist });
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  // A reader (fsck, status) on another connection waits briefly instead of failing.
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Prepares each distinct SQL text once. */
export class Statements {
  private readonly cache = new Map<string, Database.Statement>();
  private readonly rawCache = new Map<string, Database.Statement>();
  constructor(private readonly db: Db) {}

  get(sql: string): Database.Statement {
    let st = this.cache.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.cache.set(sql, st);
    }
    return st;
  }

  /** A statement whose rows are arrays of column values: about twice as fast for long results. */
  raw(sql: string): Database.Statement {
    let st = this.rawCache.get(sql);
    if (!st) {
      st = this.db.prepare(sql).raw(true);
      this.rawCache.set(sql, st);
    }
    return st;
  }
}

export interface InodeRow {
  ino: number;
  kind: InodeKind;
  perm: number;
  uid: number;
  gid: number;
  nlink: number;
  size: number;
  atime_ms: number;
  mtime_ms: number;
  ctime_ms: number;
  rdev: number;
}

/** The columns of an inode row in the order `attrAt` reads them, for raw statements. */
export const INODE_COLUMNS = 'ino, kind, perm, uid, gid, nlink, size, atime_ms, mtime_ms, ctime_ms, rdev';

/** The Attr in a raw row whose columns from `at` on are INODE_COLUMNS. */
export const attrAt = (r: unknown[], at: number): Attr => ({
  ino: r[at] as number,
  kind: r[at + 1] as InodeKind,
  perm: r[at + 2] as number,
  uid: r[at + 3] as number,
  gid: r[at + 4] as number,
  nlink: r[at + 5] as number,
  size: r[at + 6] as number,
  atimeMs: r[at + 7] as number,
  mtimeMs: r[at + 8] as number,
  ctimeMs: r[at + 9] as number,
  rdev: r[at + 10] as number,
});

export const toAttr = (r: InodeRow): Attr => ({
  ino: r.ino,
  kind: r.kind,
  perm: r.perm,
  uid: r.uid,
  gid: r.gid,
  nlink: r.nlink,
  size: r.size,
  atimeMs: r.atime_ms,
  mtimeMs: r.mtime_ms,
  ctimeMs: r.ctime_ms,
  rdev: r.rdev,
});
