import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { MetadataError } from './errors.js';
import { migrate } from './migrations.js';
import { SETTING } from './schema.js';
import { openDb, Statements, type Db } from './sqlite-db.js';
import { ROOT_INO, type InodeKind } from './types.js';
import type {
  BadModeRow, ChunkObject, ChunkRow, CycleRow, KnownObject, MetadataChecker, NameRow, NlinkRow, RefsRow, SizeRow,
  StrayRowsRow, SymlinkRow, UnreachableRow,
} from './checks.js';

const KINDS: readonly InodeKind[] = ['file', 'dir', 'symlink', 'fifo', 'chr', 'blk', 'sock'];
const KIND_LIST = KINDS.map((k) => `'${k}'`).join(', ');
const LOST_FOUND = Buffer.from('lost+found');
const DIR_SIZE = 4096;
/** Guards path walks against cycles the cycle check has not repaired yet. */
const MAX_DEPTH = 4096;

/** Every inode reachable from the root through entries (UNION: a cycle ends the walk). */
const REACHABLE = `WITH RECURSIVE reach(ino) AS (
  SELECT ${ROOT_INO} UNION SELECT d.ino FROM dentries d JOIN reach r ON d.parent = r.ino
)`;

/** Opens a database for checking and repair (it must exist; the schema is brought up to date). */
export function openChecker(dbPath: string): SqliteChecker {
  const db = openDb(dbPath, { mustExist: true });
  try {
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqliteChecker(db);
}

/**
 * Copies a database to `destPath` without changing anything at `srcPath`. With no `-wal`
 * file nobody has the database open (a connection in WAL mode keeps one), so the file's
 * bytes are the whole database. Otherwise a mount may be writing it: SQLite's backup API
 * then takes a consistent copy through a read-only connection.
 */
export async function copyDatabase(srcPath: string, destPath: string): Promise<void> {
  if (!existsSync(`${srcPath}-wal`)) {
    await copyFile(srcPath, destPath);
    return;
  }
  let src: Db;
  try {
    src = new Database(srcPath, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new MetadataError(`cannot open metadata database ${srcPath}: ${(err as Error).message}`, { cause: err });
  }
  try {
    await src.backup(destPath);
  } finally {
    src.close();
  }
}

/** The SQLite engine of `MetadataChecker`. */
export class SqliteChecker implements MetadataChecker {
  readonly chunkSize: number;
  private readonly st: Statements;
  private readonly tx: (fn: () => unknown) => unknown;

  constructor(private readonly db: Db) {
    this.st = new Statements(db);
    this.tx = db.transaction((fn: () => unknown) => fn());
    this.chunkSize = Number(this.setting(SETTING.chunkSize));
    if (!Number.isSafeInteger(this.chunkSize) || this.chunkSize <= 0) throw new MetadataError('metadata database has no chunk size');
  }

  private all<T>(sql: string, ...params: unknown[]): T[] {
    return this.st.get(sql).all(...params) as T[];
  }

  private one<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.st.get(sql).get(...params) as T | undefined;
  }

  private run(sql: string, ...params: unknown[]): number {
    return this.st.get(sql).run(...params).changes;
  }

  private setting(key: string): string | null {
    return this.one<{ value: string }>('SELECT value FROM settings WHERE key = ?', key)?.value ?? null;
  }

  /** A repair: one transaction, marking the database changed since the last snapshot. */
  private write<T>(fn: () => T): T {
    return this.tx(() => {
      const r = fn();
      this.run("INSERT INTO settings (key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE SET value = '1'", SETTING.changed);
      return r;
    }) as T;
  }

  pathOf(ino: number): string | null {
    const parts: string[] = [];
    let at = ino;
    for (let depth = 0; at !== ROOT_INO; depth++) {
      if (depth > MAX_DEPTH) return null;
      const row = this.one<{ parent: number; name: Buffer }>('SELECT parent, name FROM dentries WHERE ino = ? ORDER BY parent, name LIMIT 1', at);
      if (!row) return null;
      parts.unshift(row.name.toString('utf8'));
      at = row.parent;
    }
    return '/' + parts.join('/');
  }

  findBadModes(): BadModeRow[] {
    const rows = this.all<{ ino: number; kind: string; perm: number }>(
      `SELECT ino, kind, perm FROM inodes WHERE kind NOT IN (${KIND_LIST}) OR typeof(perm) != 'integer' OR perm < 0 OR perm > 4095
       OR (ino = ${ROOT_INO} AND kind != 'dir')`,
    );
    const found = rows.map((r) => ({ ...r, fixedKind: this.guessKind(r.ino, r.kind) }));
    if (!this.one('SELECT 1 FROM inodes WHERE ino = ?', ROOT_INO)) found.unshift({ ino: ROOT_INO, kind: '(missing)', perm: 0o755, fixedKind: 'dir' });
    return found;
  }

  private guessKind(ino: number, kind: string): string {
    if (ino === ROOT_INO) return 'dir';
    if ((KINDS as readonly string[]).includes(kind)) return kind;
    if (this.one('SELECT 1 FROM dentries WHERE parent = ? LIMIT 1', ino)) return 'dir';
    if (this.one('SELECT 1 FROM symlinks WHERE ino = ?', ino)) return 'symlink';
    return 'file';
  }

  repairBadMode(row: BadModeRow): void {
    this.write(() => {
      if (row.kind === '(missing)') {
        const now = Date.now();
        this.run(
          "INSERT INTO inodes (ino, kind, perm, uid, gid, nlink, size, atime_ms, mtime_ms, ctime_ms) VALUES (?, 'dir', ?, 0, 0, 2, ?, ?, ?, ?)",
          ROOT_INO, 0o755, DIR_SIZE, now, now, now,
        );
        return;
      }
      const perm = Number.isSafeInteger(row.perm) ? row.perm & 0o7777 : 0o644;
      this.run('UPDATE inodes SET kind = ?, perm = ? WHERE ino = ?', row.fixedKind, perm, row.ino);
    });
  }

  findDanglingNames(): NameRow[] {
    return this.all('SELECT d.parent, d.name, d.ino FROM dentries d LEFT JOIN inodes i ON i.ino = d.ino WHERE i.ino IS NULL ORDER BY d.parent, d.name');
  }

  findMisplacedNames(): NameRow[] {
    return this.all(
      `SELECT d.parent, d.name, d.ino FROM dentries d LEFT JOIN inodes p ON p.ino = d.parent
       WHERE p.ino IS NULL OR p.kind != 'dir' OR d.ino = ${ROOT_INO} ORDER BY d.parent, d.name`,
    );
  }

  removeName(row: NameRow): void {
    this.write(() => this.run('DELETE FROM dentries WHERE parent = ? AND name = ?', row.parent, row.name));
  }

  findStrayRows(): StrayRowsRow[] {
    const stray = (table: StrayRowsRow['table']) =>
      this.all<{ ino: number; rows: number }>(
        `SELECT t.ino, count(*) AS rows FROM ${table} t LEFT JOIN inodes i ON i.ino = t.ino WHERE i.ino IS NULL GROUP BY t.ino ORDER BY t.ino`,
      ).map((r) => ({ table, ...r }));
    return [...stray('xattrs'), ...stray('symlinks'), ...stray('chunks')];
  }

  repairStrayRows(row: StrayRowsRow): void {
    if (row.table === 'chunks') {
      for (const c of this.chunksOf(row.ino)) this.dropChunk(c, true);
      return;
    }
    this.write(() => this.run(`DELETE FROM ${row.table} WHERE ino = ?`, row.ino));
  }

  private chunksOf(ino: number): ChunkRow[] {
    return this.all('SELECT ino, idx, object_id AS objectId, len FROM chunks WHERE ino = ? ORDER BY idx', ino);
  }

  findBadSymlinks(): SymlinkRow[] {
    const noTarget = this.all<{ ino: number; size: number }>(
      "SELECT i.ino, i.size FROM inodes i LEFT JOIN symlinks s ON s.ino = i.ino WHERE i.kind = 'symlink' AND (s.ino IS NULL OR length(s.target) = 0) ORDER BY i.ino",
    ).map((r) => ({ ...r, problem: 'no-target' as const, targetLength: null }));
    const notSymlink = this.all<{ ino: number; size: number; targetLength: number }>(
      "SELECT s.ino, i.size, length(s.target) AS targetLength FROM symlinks s JOIN inodes i ON i.ino = s.ino WHERE i.kind != 'symlink' ORDER BY s.ino",
    ).map((r) => ({ ...r, problem: 'not-a-symlink' as const }));
    const size = this.all<{ ino: number; size: number; targetLength: number }>(
      "SELECT s.ino, i.size, length(s.target) AS targetLength FROM symlinks s JOIN inodes i ON i.ino = s.ino WHERE i.kind = 'symlink' AND length(s.target) > 0 AND i.size != length(s.target) ORDER BY s.ino",
    ).map((r) => ({ ...r, problem: 'size' as const }));
    return [...noTarget, ...notSymlink, ...size];
  }

  repairBadSymlink(row: SymlinkRow): void {
    this.write(() => {
      if (row.problem === 'size') this.run('UPDATE inodes SET size = ? WHERE ino = ?', row.targetLength, row.ino);
      else if (row.problem === 'not-a-symlink') this.run('DELETE FROM symlinks WHERE ino = ?', row.ino);
      else {
        for (const t of ['dentries', 'xattrs', 'symlinks', 'inodes']) this.run(`DELETE FROM ${t} WHERE ino = ?`, row.ino);
      }
    });
  }

  findCycles(): CycleRow[] {
    return [...this.manyNamedDirs(), ...this.unreachableLoops()];
  }

  /** Directories with more than one name: the first name whose parent the root reaches without them stays. */
  private manyNamedDirs(): CycleRow[] {
    const inos = this.all<{ ino: number }>(
      "SELECT d.ino FROM dentries d JOIN inodes i ON i.ino = d.ino WHERE i.kind = 'dir' GROUP BY d.ino HAVING count(*) > 1 ORDER BY d.ino",
    );
    return inos.map(({ ino }) => {
      const names = this.all<NameRow>('SELECT parent, name, ino FROM dentries WHERE ino = ? ORDER BY parent, name', ino);
      const reachableWithout = (parent: number) =>
        this.one(
          `WITH RECURSIVE reach(ino) AS (SELECT ${ROOT_INO} UNION SELECT d.ino FROM dentries d JOIN reach r ON d.parent = r.ino WHERE d.ino != ?)
           SELECT 1 FROM reach WHERE ino = ?`,
          ino, parent,
        ) !== undefined;
      // The parent whose link count counts this directory is the likelier original.
      const counted = (parent: number) =>
        this.one<{ ok: number }>(
          `SELECT p.nlink >= 2 + (SELECT count(*) FROM dentries d JOIN inodes c ON c.ino = d.ino WHERE d.parent = p.ino AND c.kind = 'dir') AS ok
           FROM inodes p WHERE p.ino = ?`,
          parent,
        )?.ok === 1;
      const candidates = names.filter((n) => n.parent !== ino && reachableWithout(n.parent));
      const keep = candidates.find((n) => counted(n.parent)) ?? candidates[0] ?? names[0]!;
      return { ino, problem: 'many-names' as const, drop: names.filter((n) => n !== keep) };
    });
  }

  /** Unreachable directories whose chain of parents loops: the loop's lowest inode loses its name. */
  private unreachableLoops(): CycleRow[] {
    const rows = this.all<{ ino: number; parent: number | null }>(
      `${REACHABLE} SELECT i.ino, (SELECT parent FROM dentries WHERE ino = i.ino ORDER BY parent, name LIMIT 1) AS parent
       FROM inodes i WHERE i.kind = 'dir' AND i.ino NOT IN (SELECT ino FROM reach)`,
    );
    const parentOf = new Map(rows.map((r) => [r.ino, r.parent]));
    const done = new Set<number>();
    const found: CycleRow[] = [];
    for (const { ino: start } of rows) {
      const walk: number[] = [];
      let at: number | null | undefined = start;
      while (at != null && parentOf.has(at) && !done.has(at) && !walk.includes(at)) {
        walk.push(at);
        at = parentOf.get(at);
      }
      if (at != null && walk.includes(at)) {
        const loop = walk.slice(walk.indexOf(at));
        const victim = Math.min(...loop);
        const drop = this.all<NameRow>('SELECT parent, name, ino FROM dentries WHERE ino = ? AND parent = ?', victim, parentOf.get(victim));
        found.push({ ino: victim, problem: 'cycle', drop });
      }
      for (const w of walk) done.add(w);
    }
    return found;
  }

  repairCycle(row: CycleRow): void {
    this.write(() => {
      // Link counts are left to the link-count check: a damaged entry may never have been counted.
      for (const n of row.drop) this.run('DELETE FROM dentries WHERE parent = ? AND name = ?', n.parent, n.name);
    });
  }

  findUnreachable(): UnreachableRow[] {
    return this.all(
      `${REACHABLE} SELECT i.ino, i.kind, i.nlink FROM inodes i
       WHERE i.ino NOT IN (SELECT ino FROM reach) AND NOT EXISTS (SELECT 1 FROM dentries d WHERE d.ino = i.ino) ORDER BY i.ino`,
    );
  }

  moveToLostFound(ino: number, nowMs: number): string {
    return this.write(() => this.linkIntoLostFound(ino, nowMs));
  }

  relinkToLostFound(ino: number, nowMs: number): string {
    return this.write(() => {
      const isDir = this.one<{ kind: string }>('SELECT kind FROM inodes WHERE ino = ?', ino)?.kind === 'dir';
      const names = this.all<NameRow>('SELECT parent, name, ino FROM dentries WHERE ino = ?', ino);
      for (const n of names) {
        this.run('DELETE FROM dentries WHERE parent = ? AND name = ?', n.parent, n.name);
        if (isDir) this.run('UPDATE inodes SET nlink = nlink - 1 WHERE ino = ?', n.parent);
      }
      return this.linkIntoLostFound(ino, nowMs);
    });
  }

  /** Inside a transaction: names `ino` `#<ino>` in lost+found and sets the link counts. */
  private linkIntoLostFound(ino: number, nowMs: number): string {
    const { dir, name: lfName } = this.lostFound(nowMs);
    let name = Buffer.from(`#${ino}`);
    for (let n = 1; this.one('SELECT 1 FROM dentries WHERE parent = ? AND name = ?', dir, name); n++) name = Buffer.from(`#${ino}.${n}`);
    this.run('INSERT INTO dentries (parent, name, ino) VALUES (?, ?, ?)', dir, name, ino);
    const kind = this.one<{ kind: string }>('SELECT kind FROM inodes WHERE ino = ?', ino)?.kind;
    if (kind === 'dir') this.run('UPDATE inodes SET nlink = nlink + 1 WHERE ino = ?', dir);
    else this.run('UPDATE inodes SET nlink = (SELECT count(*) FROM dentries WHERE ino = ?) WHERE ino = ?', ino, ino);
    this.run('UPDATE inodes SET mtime_ms = ?, ctime_ms = ? WHERE ino = ?', nowMs, nowMs, dir);
    return `/${lfName}/${name.toString('utf8')}`;
  }

  /** The lost+found directory (`lost+found`, or `lost+found.N` when that name is taken by a non-directory), created if missing. */
  private lostFound(nowMs: number): { dir: number; name: string } {
    for (let n = 0; ; n++) {
      const name = n === 0 ? LOST_FOUND : Buffer.from(`lost+found.${n}`);
      const row = this.one<{ ino: number; kind: string }>(
        'SELECT d.ino, i.kind FROM dentries d JOIN inodes i ON i.ino = d.ino WHERE d.parent = ? AND d.name = ?',
        ROOT_INO, name,
      );
      if (row?.kind === 'dir') return { dir: row.ino, name: name.toString() };
      if (row) continue;
      this.run('DELETE FROM dentries WHERE parent = ? AND name = ?', ROOT_INO, name);
      const { lastInsertRowid } = this.st
        .get("INSERT INTO inodes (kind, perm, uid, gid, nlink, size, atime_ms, mtime_ms, ctime_ms) VALUES ('dir', ?, 0, 0, 2, ?, ?, ?, ?)")
        .run(0o700, DIR_SIZE, nowMs, nowMs, nowMs);
      const dir = Number(lastInsertRowid);
      this.run('INSERT INTO dentries (parent, name, ino) VALUES (?, ?, ?)', ROOT_INO, name, dir);
      this.run('UPDATE inodes SET nlink = nlink + 1, mtime_ms = ?, ctime_ms = ? WHERE ino = ?', nowMs, nowMs, ROOT_INO);
      return { dir, name: name.toString() };
    }
  }

  destroyInode(ino: number): void {
    for (const c of this.chunksOf(ino)) this.dropChunk(c, true);
    this.write(() => {
      for (const t of ['dentries', 'xattrs', 'symlinks', 'inodes']) this.run(`DELETE FROM ${t} WHERE ino = ?`, ino);
    });
  }

  findBadNlinks(): NlinkRow[] {
    return this.all(
      `SELECT ino, kind, nlink, expected FROM (
         SELECT i.ino, i.kind, i.nlink, coalesce(l.n, 0) AS names,
                CASE WHEN i.kind = 'dir' THEN 2 + coalesce(s.n, 0) ELSE coalesce(l.n, 0) END AS expected
         FROM inodes i
         LEFT JOIN (SELECT d.parent AS ino, count(*) AS n FROM dentries d JOIN inodes c ON c.ino = d.ino WHERE c.kind = 'dir' GROUP BY d.parent) s ON s.ino = i.ino
         LEFT JOIN (SELECT ino, count(*) AS n FROM dentries GROUP BY ino) l ON l.ino = i.ino)
       WHERE nlink != expected AND NOT (nlink = 0 AND names = 0) ORDER BY ino`,
    );
  }

  repairNlink(row: NlinkRow): void {
    this.write(() => this.run('UPDATE inodes SET nlink = ? WHERE ino = ?', row.expected, row.ino));
  }

  findChunksOfNonFiles(): ChunkRow[] {
    return this.all(
      "SELECT c.ino, c.idx, c.object_id AS objectId, c.len FROM chunks c JOIN inodes i ON i.ino = c.ino WHERE i.kind != 'file' ORDER BY c.ino, c.idx",
    );
  }

  findChunksPastSize(): ChunkRow[] {
    return this.all(
      "SELECT c.ino, c.idx, c.object_id AS objectId, c.len FROM chunks c JOIN inodes i ON i.ino = c.ino WHERE i.kind = 'file' AND c.idx * ? >= i.size ORDER BY c.ino, c.idx",
      this.chunkSize,
    );
  }

  dropChunk(row: ChunkRow, objectExists: boolean): void {
    this.write(() => {
      this.run('DELETE FROM chunks WHERE ino = ? AND idx = ? AND object_id = ?', row.ino, row.idx, row.objectId);
      const left = this.one<{ n: number }>('SELECT count(*) AS n FROM chunks WHERE object_id = ?', row.objectId)!.n;
      if (left > 0) {
        this.run('UPDATE objects SET refs = ? WHERE id = ?', left, row.objectId);
        return;
      }
      this.run('DELETE FROM objects WHERE id = ?', row.objectId);
      if (objectExists) this.queueDeletion(row.objectId, row.len);
      else this.run('DELETE FROM pending_deletes WHERE object_id = ?', row.objectId);
    });
  }

  /** Inside a transaction: the object becomes deletable once a snapshot taken after now is uploaded. */
  private queueDeletion(objectId: string, size: number): void {
    const notBefore = Number(this.setting(SETTING.snapshotSeq) ?? 0) + 1;
    this.run(
      'INSERT INTO pending_deletes (object_id, size, not_before) VALUES (?, ?, ?) ON CONFLICT(object_id) DO UPDATE SET not_before = max(not_before, excluded.not_before)',
      objectId, size, notBefore,
    );
  }

  findShortSizes(): SizeRow[] {
    return this.all(
      `SELECT c.ino, i.size, max(c.idx * ? + c.len) AS expected FROM chunks c JOIN inodes i ON i.ino = c.ino
       WHERE i.kind = 'file' GROUP BY c.ino HAVING expected > i.size ORDER BY c.ino`,
      this.chunkSize,
    );
  }

  repairSize(row: SizeRow): void {
    this.write(() => this.run('UPDATE inodes SET size = max(size, ?) WHERE ino = ?', row.expected, row.ino));
  }

  findBadRefs(): RefsRow[] {
    const counted = this.all<{ objectId: string; refs: number | null; expected: number }>(
      `SELECT o.id AS objectId, o.refs, coalesce(c.n, 0) AS expected FROM objects o
       LEFT JOIN (SELECT object_id, count(*) AS n FROM chunks GROUP BY object_id) c ON c.object_id = o.id
       WHERE o.refs IS NOT coalesce(c.n, 0)
       UNION ALL
       SELECT c.object_id, NULL, count(*) FROM chunks c LEFT JOIN objects o ON o.id = c.object_id WHERE o.id IS NULL GROUP BY c.object_id`,
    );
    const pending = new Set(
      this.all<{ id: string }>('SELECT p.object_id AS id FROM pending_deletes p WHERE EXISTS (SELECT 1 FROM chunks c WHERE c.object_id = p.object_id)').map(
        (r) => r.id,
      ),
    );
    const rows = new Map<string, RefsRow>(counted.map((r) => [r.objectId, { ...r, pending: pending.has(r.objectId) }]));
    for (const id of pending) {
      if (rows.has(id)) continue;
      const refs = this.one<{ refs: number }>('SELECT refs FROM objects WHERE id = ?', id)?.refs ?? null;
      rows.set(id, { objectId: id, refs, expected: refs ?? 0, pending: true });
    }
    return [...rows.values()].sort((a, b) => (a.objectId < b.objectId ? -1 : 1));
  }

  repairRefs(row: RefsRow): void {
    this.write(() => {
      if (row.pending) this.run('DELETE FROM pending_deletes WHERE object_id = ?', row.objectId);
      const expected = this.one<{ n: number; size: number | null }>('SELECT count(*) AS n, max(len) AS size FROM chunks WHERE object_id = ?', row.objectId)!;
      const existing = this.one<{ size: number }>('SELECT size FROM objects WHERE id = ?', row.objectId);
      if (expected.n === 0) {
        this.run('DELETE FROM objects WHERE id = ?', row.objectId);
        if (existing) this.queueDeletion(row.objectId, existing.size);
      } else if (!existing) {
        this.run('INSERT INTO objects (id, size, refs) VALUES (?, ?, ?)', row.objectId, expected.size, expected.n);
      } else {
        this.run('UPDATE objects SET refs = ? WHERE id = ?', expected.n, row.objectId);
      }
    });
  }

  objectsPage(after: string | null, limit: number): KnownObject[] {
    const from = after ?? '';
    // Chunk rows first: whatever any table names is known, so an inconsistent objects
    // table can never make a referenced object look like an orphan.
    const referenced = this.all<KnownObject>(
      "SELECT object_id AS objectId, max(len) AS size, 'live' AS state FROM chunks WHERE object_id > ? GROUP BY object_id ORDER BY object_id LIMIT ?",
      from, limit,
    );
    const tracked = this.all<KnownObject>("SELECT id AS objectId, size, 'live' AS state FROM objects WHERE id > ? ORDER BY id LIMIT ?", from, limit);
    const pending = this.all<KnownObject>(
      "SELECT object_id AS objectId, size, 'pending' AS state FROM pending_deletes WHERE object_id > ? ORDER BY object_id LIMIT ?",
      from, limit,
    );
    return mergeSorted([referenced, tracked, pending], limit);
  }

  chunksOfObject(objectId: string): ChunkRow[] {
    return this.all('SELECT ino, idx, object_id AS objectId, len FROM chunks WHERE object_id = ? ORDER BY ino, idx', objectId);
  }

  objectTotals(): { objects: number; bytes: number } {
    return this.one<{ objects: number; bytes: number }>('SELECT count(*) AS objects, coalesce(sum(size), 0) AS bytes FROM objects')!;
  }

  chunkObjectsPage(after: string | null, limit: number): ChunkObject[] {
    return this.all(
      'SELECT object_id AS objectId, len, xxh64 FROM chunks WHERE object_id > ? GROUP BY object_id ORDER BY object_id LIMIT ?',
      after ?? '', limit,
    );
  }

  setXattr(ino: number, name: string, value: Buffer): void {
    this.write(() =>
      this.run('INSERT INTO xattrs (ino, name, value) VALUES (?, ?, ?) ON CONFLICT(ino, name) DO UPDATE SET value = excluded.value', ino, name, value),
    );
  }

  dueDeletions(after: string | null, limit: number): { objectId: string; size: number }[] {
    const uploaded = Number(this.setting(SETTING.snapshotUploaded) ?? 0);
    return this.all(
      'SELECT object_id AS objectId, size FROM pending_deletes WHERE not_before <= ? AND object_id > ? ORDER BY object_id LIMIT ?',
      uploaded, after ?? '', limit,
    );
  }

  forgetDeletions(objectIds: string[]): void {
    if (objectIds.length === 0) return;
    this.write(() => {
      for (const id of objectIds) this.run('DELETE FROM pending_deletes WHERE object_id = ?', id);
    });
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/**
 * The first `limit` ids of several id-sorted lists, each holding its first `limit` ids;
 * an id in several lists counts once, as it appears in the earliest list.
 */
function mergeSorted(lists: KnownObject[][], limit: number): KnownObject[] {
  const byId = new Map<string, KnownObject>();
  for (const list of lists) for (const o of list) if (!byId.has(o.objectId)) byId.set(o.objectId, o);
  return [...byId.values()].sort((a, b) => (a.objectId < b.objectId ? -1 : a.objectId > b.objectId ? 1 : 0)).slice(0, limit);
}
