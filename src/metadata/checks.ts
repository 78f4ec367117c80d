/**
 * What fsck asks of a metadata engine: one query per invariant, returning the rows that
 * break it, and one repair per query, each one transaction. Engine-neutral: the SQLite
 * engine's statements live in `checks-sqlite.ts`; another engine implements the same
 * interface. Every list a `find*` method returns is bounded by the damage, not by the
 * size of the filesystem; whole-filesystem streams come in pages (`objectsPage`).
 */

/** A directory entry: `name` in directory `parent` names inode `ino`. */
export interface NameRow {
  parent: number;
  name: Buffer;
  ino: number;
}

/** An inode whose kind is unknown or whose perm holds bits outside 0o7777. */
export interface BadModeRow {
  ino: number;
  kind: string;
  perm: number;
  /** The kind the repair gives it, guessed from what the inode owns (entries, chunks, a target). */
  fixedKind: string;
}

/** Rows of another table that name an inode that does not exist. */
export interface StrayRowsRow {
  table: 'xattrs' | 'symlinks' | 'chunks';
  ino: number;
  rows: number;
}

export type SymlinkProblem = 'no-target' | 'not-a-symlink' | 'size';

export interface SymlinkRow {
  ino: number;
  problem: SymlinkProblem;
  /** The inode's size field, and the target's length when there is one. */
  size: number;
  targetLength: number | null;
}

/** A directory in a cycle, or with more than one name. `drop` are the entries the repair removes. */
export interface CycleRow {
  ino: number;
  problem: 'cycle' | 'many-names';
  drop: NameRow[];
}

export interface UnreachableRow {
  ino: number;
  kind: string;
  nlink: number;
}

export interface NlinkRow {
  ino: number;
  kind: string;
  nlink: number;
  expected: number;
}

export interface ChunkRow {
  ino: number;
  idx: number;
  objectId: string;
  len: number;
}

export interface SizeRow {
  ino: number;
  size: number;
  /** End of the last chunk: idx * chunkSize + len. */
  expected: number;
}

export interface RefsRow {
  objectId: string;
  /** refs in the objects table; null when the object has no row. */
  refs: number | null;
  /** Chunk rows naming it. */
  expected: number;
  /** True when the object also waits in the pending deletions while referenced. */
  pending: boolean;
}

/** An object the metadata knows, in a sorted stream. */
export interface KnownObject {
  objectId: string;
  /** Bytes the object must have. */
  size: number;
  /** live: chunk rows name it; pending: retired, waiting for deletion. */
  state: 'live' | 'pending';
}

export interface ChunkObject {
  objectId: string;
  len: number;
  xxh64: string;
}

export interface MetadataChecker {
  /** The filesystem's chunk size. */
  readonly chunkSize: number;

  /** A path of `ino` from the root (its first name at each level), or null when it has none. */
  pathOf(ino: number): string | null;

  /** Inodes of unknown kind or with perm bits beyond 0o7777. */
  findBadModes(): BadModeRow[];
  /** Sets the row's kind to `fixedKind` and masks perm to 0o7777. */
  repairBadMode(row: BadModeRow): void;

  /** Entries naming an inode that does not exist. */
  findDanglingNames(): NameRow[];
  /** Entries in a parent that does not exist or is no directory. */
  findMisplacedNames(): NameRow[];
  /** Removes one entry (the link counts are the link-count check's business). */
  removeName(row: NameRow): void;

  /** xattrs, symlink targets and chunk rows of inodes that do not exist. */
  findStrayRows(): StrayRowsRow[];
  /** Removes them (chunk rows: their objects lose a reference, as `dropChunk` does). */
  repairStrayRows(row: StrayRowsRow): void;

  /** Symlinks without a target, targets of non-symlinks, symlink sizes that are not the target's length. */
  findBadSymlinks(): SymlinkRow[];
  /** no-target: the symlink is removed (names and inode); not-a-symlink: the target row goes; size: set. */
  repairBadSymlink(row: SymlinkRow): void;

  /** Directory cycles and directories with more than one name. */
  findCycles(): CycleRow[];
  /** Removes `row.drop`; the reachability check then re-anchors what was cut off. */
  repairCycle(row: CycleRow): void;

  /**
   * Inodes other than the root that no path from the root reaches and no entry names
   * (the tops of unreachable subtrees; nlink 0 ones are orphans left open at a crash).
   */
  findUnreachable(): UnreachableRow[];
  /** Gives the inode the name `#<ino>` in /lost+found (created if missing); returns the path. */
  moveToLostFound(ino: number, nowMs: number): string;
  /** Removes an inode that has no name and nlink 0 (its chunks are retired). */
  destroyInode(ino: number): void;

  /** Inodes whose nlink differs from their entries (a directory: 2 + its subdirectories). */
  findBadNlinks(): NlinkRow[];
  repairNlink(row: NlinkRow): void;

  /** Chunk rows of inodes that are not regular files. */
  findChunksOfNonFiles(): ChunkRow[];
  /** Chunk rows that start at or past their file's size. */
  findChunksPastSize(): ChunkRow[];
  /**
   * Removes a chunk row; its object loses a reference. At 0 references the object is queued
   * for deletion when `objectExists` (after the next snapshot), else just forgotten.
   */
  dropChunk(row: ChunkRow, objectExists: boolean): void;

  /** Files whose size ends before their last chunk does. */
  findShortSizes(): SizeRow[];
  repairSize(row: SizeRow): void;

  /** Objects whose refs differ from the chunk rows naming them, or that wait for deletion while referenced. */
  findBadRefs(): RefsRow[];
  /** Sets refs (a row with no chunk rows goes and its object is queued for deletion); cancels a pending deletion of a referenced object. */
  repairRefs(row: RefsRow): void;

  /** Objects the metadata knows (live and pending), ids ascending, after `after`. */
  objectsPage(after: string | null, limit: number): KnownObject[];
  /** The chunk rows naming an object. */
  chunksOfObject(objectId: string): ChunkRow[];
  /** Live objects and their bytes (for progress). */
  objectTotals(): { objects: number; bytes: number };
  /** Objects chunk rows name with the length and checksum they must have, ids ascending. */
  chunkObjectsPage(after: string | null, limit: number): ChunkObject[];

  /** Sets xattr `name` of `ino` to `value`. */
  setXattr(ino: number, name: string, value: Buffer): void;
  /** Moves every name of `ino` to one name `#<ino>` in /lost+found; returns the new path. */
  relinkToLostFound(ino: number, nowMs: number): string;

  /** Pending deletions whose snapshot is uploaded, ascending, after `after`. */
  dueDeletions(after: string | null, limit: number): { objectId: string; size: number }[];
  forgetDeletions(objectIds: string[]): void;

  close(): void;
}
