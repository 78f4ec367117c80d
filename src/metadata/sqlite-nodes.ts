import { fsError } from '../errors.js';
import { type InodeRow, type Statements } from './sqlite-db.js';
import { ROOT_INO } from './types.js';

/**
 * Row-level helpers over inodes and dentries, used inside a caller's transaction.
 * They throw the errno Linux gives for a missing or mistyped node.
 */
export class Nodes {
  constructor(private readonly st: Statements) {}

  /** The inode's row, or undefined. */
  find(ino: number): InodeRow | undefined {
    return this.st.get('SELECT * FROM inodes WHERE ino = ?').get(ino) as InodeRow | undefined;
  }

  /** The inode's row; ENOENT when missing. */
  get(ino: number): InodeRow {
    const row = this.find(ino);
    if (!row) throw fsError('ENOENT', `no inode ${ino}`);
    return row;
  }

  /** A directory's row: ENOENT when missing, ENOTDIR when no directory. */
  dir(ino: number): InodeRow {
    const row = this.get(ino);
    if (row.kind !== 'dir') throw fsError('ENOTDIR', `inode ${ino} is no directory`);
    return row;
  }

  /** A directory that may gain entries: also ENOENT once it was removed (nlink 0) while still open. */
  liveDir(ino: number): InodeRow {
    const row = this.dir(ino);
    if (row.nlink === 0) throw fsError('ENOENT', `directory ${ino} was removed`);
    return row;
  }

  /** The inode `name` names in `parent`, or undefined. */
  child(parent: number, name: Buffer): number | undefined {
    const row = this.st.get('SELECT ino FROM dentries WHERE parent = ? AND name = ?').get(parent, name) as
      | { ino: number }
      | undefined;
    return row?.ino;
  }

  /** The inode `name` names in `parent`; ENOENT when missing. */
  childRow(parent: number, name: Buffer): InodeRow {
    const ino = this.child(parent, name);
    if (ino === undefined) throw fsError('ENOENT', `no entry ${JSON.stringify(name.toString())} in ${parent}`);
    return this.get(ino);
  }

  /** The parent of directory `dir` (the root is its own parent). */
  parentOf(dir: number): number {
    if (dir === ROOT_INO) return ROOT_INO;
    const row = this.st.get('SELECT parent FROM dentries WHERE ino = ? LIMIT 1').get(dir) as { parent: number } | undefined;
    return row?.parent ?? ROOT_INO;
  }

  /** True when directory `ino` is `ancestor` or lies below it. */
  isWithin(ino: number, ancestor: number): boolean {
    // Walk up from ino; a directory has exactly one name, so the walk is a path to the root.
    for (let cur = ino, steps = 0; ; steps++) {
      if (cur === ancestor) return true;
      if (cur === ROOT_INO || steps > 1_000_000) return false;
      cur = this.parentOf(cur);
    }
  }

  hasEntries(dir: number): boolean {
    return this.st.get('SELECT 1 FROM dentries WHERE parent = ? LIMIT 1').get(dir) !== undefined;
  }

  addEntry(parent: number, name: Buffer, ino: number): void {
    this.st.get('INSERT INTO dentries (parent, name, ino) VALUES (?, ?, ?)').run(parent, name, ino);
  }

  removeEntry(parent: number, name: Buffer): void {
    this.st.get('DELETE FROM dentries WHERE parent = ? AND name = ?').run(parent, name);
  }

  setEntry(parent: number, name: Buffer, ino: number): void {
    this.st.get('UPDATE dentries SET ino = ? WHERE parent = ? AND name = ?').run(ino, parent, name);
  }

  /** A directory's entries changed: mtime and ctime to now, nlink by `nlinkDelta` (subdirectories). */
  dirChanged(dir: number, nowMs: number, nlinkDelta = 0): void {
    this.st.get('UPDATE inodes SET mtime_ms = ?, ctime_ms = ?, nlink = nlink + ? WHERE ino = ?').run(nowMs, nowMs, nlinkDelta, dir);
  }

  /** An inode gained or lost names: nlink by `delta`, ctime to now. */
  linksChanged(ino: number, delta: number, nowMs: number): void {
    this.st.get('UPDATE inodes SET nlink = max(0, nlink + ?), ctime_ms = ? WHERE ino = ?').run(delta, nowMs, ino);
  }

  /** Deletes an inode's own rows (not its chunks: the caller retires those first). */
  deleteRows(ino: number): void {
    this.st.get('DELETE FROM xattrs WHERE ino = ?').run(ino);
    this.st.get('DELETE FROM symlinks WHERE ino = ?').run(ino);
    this.st.get('DELETE FROM inodes WHERE ino = ?').run(ino);
  }
}
