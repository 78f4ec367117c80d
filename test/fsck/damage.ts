import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { initChecksum } from '../../src/chunker/checksum.js';
import { Journal } from '../../src/chunker/journal.js';
import { objectKey } from '../../src/metadata/layout.js';
import type { FsEnv } from './fixture.js';

/**
 * The damage generator: each class of damage fsck knows, done to a real filesystem behind
 * its back (SQL on the database, keys in the store, a file in the journal), with what fsck
 * must report and what the repaired filesystem must look like.
 */
export interface Effect {
  /** Chunks that read as zeros after the repair, by path (the file gets user.chunkfs.damaged). */
  lostChunks?: Map<string, number[]>;
  /** Paths that are gone after the repair. */
  removed?: string[];
  /** Paths whose inode moves to /lost+found/#<ino>. */
  moved?: string[];
  /** New contents after the repair, by path. */
  contents?: Map<string, Buffer>;
}

export interface Damage {
  name: string;
  /** The checks that must report errors (and no other). */
  expect: string[];
  /** Checks that report notes only. */
  notes?: string[];
  /** Only with --verify-data. */
  verifyData?: boolean;
  apply(env: FsEnv): Promise<Effect>;
}

/** Runs statements on the filesystem's database (as a crash or a bug would leave it). */
function sql<T>(env: FsEnv, fn: (db: Database.Database) => T): T {
  const db = new Database(env.dbPath);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const ino = (env: FsEnv, path: string): number => env.ref.entries.get(path)!.ino;

function chunkObject(env: FsEnv, path: string, idx: number): { id: string; len: number; xxh64: string } {
  return sql(env, (db) =>
    db.prepare('SELECT object_id AS id, len, xxh64 FROM chunks WHERE ino = ? AND idx = ?').get(ino(env, path), idx) as { id: string; len: number; xxh64: string },
  );
}

/** 16 hex digits no object has. */
const freshId = (): string => randomBytes(8).toString('hex');

export const DAMAGES: Damage[] = [
  {
    name: 'dirty chunk left in the journal',
    expect: ['journal_recovery'],
    async apply(env) {
      await initChecksum();
      const data = randomBytes(1000);
      const journal = new Journal(join(env.localDir, env.ref.sb.uuid, 'cache', 'journal'));
      await journal.write(ino(env, '/f3'), 0, 1, data);
      await journal.close();
      return { contents: new Map([['/f3', data], ['/a/hard', data]]) };
    },
  },
  {
    name: 'entry naming a missing inode',
    expect: ['dentries_inode'],
    async apply(env) {
      sql(env, (db) => db.prepare('INSERT INTO dentries (parent, name, ino) VALUES (1, ?, 99999)').run(Buffer.from('ghost')));
      return {};
    },
  },
  {
    name: 'entry inside a non-directory',
    expect: ['dentries_parent'],
    async apply(env) {
      sql(env, (db) => db.prepare('INSERT INTO dentries (parent, name, ino) VALUES (?, ?, ?)').run(ino(env, '/f3'), Buffer.from('x'), ino(env, '/a/f2')));
      return {};
    },
  },
  {
    name: 'directory with two names',
    expect: ['dirs_cycles'],
    async apply(env) {
      sql(env, (db) => db.prepare('INSERT INTO dentries (parent, name, ino) VALUES (1, ?, ?)').run(Buffer.from('b2'), ino(env, '/a/b')));
      return {};
    },
  },
  {
    name: 'inode unlinked while open, left by a crash',
    expect: [],
    notes: ['inodes_reachable'],
    async apply(env) {
      sql(env, (db) =>
        db.prepare("INSERT INTO inodes (kind, perm, uid, gid, nlink, size, atime_ms, mtime_ms, ctime_ms) VALUES ('file', 420, 0, 0, 0, 0, 1, 1, 1)").run(),
      );
      return {};
    },
  },
  {
    name: 'file unreachable from the root',
    expect: ['inodes_reachable'],
    async apply(env) {
      sql(env, (db) => db.prepare('DELETE FROM dentries WHERE ino = ?').run(ino(env, '/a/f2')));
      return { moved: ['/a/f2'] };
    },
  },
  {
    name: 'wrong link count',
    expect: ['inodes_nlink'],
    async apply(env) {
      sql(env, (db) => db.prepare('UPDATE inodes SET nlink = 5 WHERE ino = ?').run(ino(env, '/f3')));
      return {};
    },
  },
  {
    name: 'directory cycle',
    expect: ['dirs_cycles', 'inodes_reachable', 'inodes_nlink'],
    async apply(env) {
      sql(env, (db) => db.prepare('UPDATE dentries SET parent = ? WHERE ino = ?').run(ino(env, '/a/b'), ino(env, '/a')));
      return { moved: ['/a'] };
    },
  },
  {
    name: 'chunk rows of a non-regular file',
    expect: ['chunks_kind'],
    async apply(env) {
      const o = chunkObject(env, '/a/b/f1', 0);
      sql(env, (db) => {
        db.prepare('INSERT INTO chunks (ino, idx, object_id, len, xxh64) VALUES (?, 0, ?, ?, ?)').run(ino(env, '/fifo'), o.id, o.len, o.xxh64);
        db.prepare('UPDATE objects SET refs = refs + 1 WHERE id = ?').run(o.id);
      });
      return {};
    },
  },
  {
    name: 'chunk row past the end of the file',
    expect: ['chunks_size'],
    async apply(env) {
      const o = chunkObject(env, '/a/f2', 0);
      sql(env, (db) => {
        db.prepare('INSERT INTO chunks (ino, idx, object_id, len, xxh64) VALUES (?, 50, ?, ?, ?)').run(ino(env, '/a/f2'), o.id, o.len, o.xxh64);
        db.prepare('UPDATE objects SET refs = refs + 1 WHERE id = ?').run(o.id);
      });
      return {};
    },
  },
  {
    name: 'size shorter than the last chunk',
    expect: ['inodes_size'],
    async apply(env) {
      sql(env, (db) => db.prepare('UPDATE inodes SET size = size - 10 WHERE ino = ?').run(ino(env, '/a/b/f1')));
      return {};
    },
  },
  {
    name: 'wrong object reference count',
    expect: ['objects_refs'],
    async apply(env) {
      const o = chunkObject(env, '/a/b/f1', 1);
      sql(env, (db) => db.prepare('UPDATE objects SET refs = 7 WHERE id = ?').run(o.id));
      return {};
    },
  },
  {
    name: 'xattrs, symlink target and chunks of missing inodes',
    expect: ['rows_inode'],
    async apply(env) {
      const o = chunkObject(env, '/a/f2', 1);
      sql(env, (db) => {
        db.prepare("INSERT INTO xattrs (ino, name, value) VALUES (99998, 'user.x', ?)").run(Buffer.from('v'));
        db.prepare('INSERT INTO symlinks (ino, target) VALUES (99997, ?)').run(Buffer.from('nowhere'));
        db.prepare('INSERT INTO chunks (ino, idx, object_id, len, xxh64) VALUES (99996, 0, ?, ?, ?)').run(o.id, o.len, o.xxh64);
        db.prepare('UPDATE objects SET refs = refs + 1 WHERE id = ?').run(o.id);
      });
      return {};
    },
  },
  {
    name: 'symlink without a target',
    expect: ['symlinks_target'],
    async apply(env) {
      sql(env, (db) => db.prepare('DELETE FROM symlinks WHERE ino = ?').run(ino(env, '/link')));
      return { removed: ['/link'] };
    },
  },
  {
    name: 'invalid kind and mode',
    expect: ['inodes_mode'],
    async apply(env) {
      sql(env, (db) => {
        db.prepare("UPDATE inodes SET kind = 'bogus' WHERE ino = ?").run(ino(env, '/f3'));
        db.prepare('UPDATE inodes SET perm = ? WHERE ino = ?').run(0o170644, ino(env, '/a/f2'));
      });
      return {};
    },
  },
  {
    name: 'object missing from the store',
    expect: ['objects_missing'],
    async apply(env) {
      await env.store.delete(objectKey(chunkObject(env, '/a/b/f1', 1).id));
      return { lostChunks: new Map([['/a/b/f1', [1]]]) };
    },
  },
  {
    name: 'object of the wrong size',
    expect: ['objects_size'],
    async apply(env) {
      await env.store.put(objectKey(chunkObject(env, '/a/f2', 1).id), randomBytes(10));
      return { lostChunks: new Map([['/a/f2', [1]]]) };
    },
  },
  {
    name: 'orphan object',
    expect: ['objects_orphaned'],
    async apply(env) {
      await env.store.put(objectKey(freshId()), randomBytes(100));
      return {};
    },
  },
  {
    name: 'due pending deletion',
    expect: [],
    notes: ['pending_due'],
    async apply(env) {
      const id = freshId();
      await env.store.put(objectKey(id), randomBytes(50));
      sql(env, (db) => db.prepare('INSERT INTO pending_deletes (object_id, size, not_before) VALUES (?, 50, 0)').run(id));
      return {};
    },
  },
  {
    name: 'corrupt object (same size)',
    expect: ['objects_data'],
    verifyData: true,
    async apply(env) {
      const o = chunkObject(env, '/a/b/f1', 2);
      await env.store.put(objectKey(o.id), randomBytes(o.len));
      return { lostChunks: new Map([['/a/b/f1', [2]]]) };
    },
  },
];

export const damage = (name: string): Damage => {
  const d = DAMAGES.find((x) => x.name === name);
  if (!d) throw new Error(`no damage ${name}`);
  return d;
};

/** Several damages at once: the union of what each must report. */
export function combine(names: string[]): Damage {
  const parts = names.map(damage);
  return {
    name: names.join(' + '),
    expect: [...new Set(parts.flatMap((p) => p.expect))],
    notes: [...new Set(parts.flatMap((p) => p.notes ?? []))],
    verifyData: parts.some((p) => p.verifyData),
    async apply(env) {
      const all: Effect = { lostChunks: new Map(), removed: [], moved: [], contents: new Map() };
      for (const p of parts) {
        const e = await p.apply(env);
        for (const [k, v] of e.lostChunks ?? []) all.lostChunks!.set(k, [...(all.lostChunks!.get(k) ?? []), ...v]);
        all.removed!.push(...(e.removed ?? []));
        all.moved!.push(...(e.moved ?? []));
        for (const [k, v] of e.contents ?? []) all.contents!.set(k, v);
      }
      return all;
    },
  };
}
