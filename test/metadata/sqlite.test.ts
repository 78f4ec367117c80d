import assert from 'node:assert/strict';
import { copyFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openMetadata } from '../../src/metadata/sqlite.js';
import { createFilesystemDb } from '../../src/metadata/superblock.js';
import { FsError } from '../../src/errors.js';
import { ROOT_INO } from '../../src/metadata/types.js';
import { tempDir } from '../helpers/tmp.js';
import { metadataConformance, SUPERBLOCK } from './conformance.js';

const dir = tempDir('chunkfs-meta');
let n = 0;
let template: string | undefined;

// Each case copies one freshly created database (creating costs several fsyncs), and
// runs with `normal` sync: the suite creates thousands of entries and tests no power cuts.
metadataConformance('sqlite', (sb) => {
  if (!template) {
    template = join(dir, 'template.db');
    createFilesystemDb(template, sb);
  }
  const path = join(dir, `m${++n}.db`);
  copyFileSync(template, path);
  return openMetadata(path, sb, { synchronous: 'normal' });
});

test('sqlite: WAL mode; commits survive close and reopen with the default (full) sync', () => {
  const path = join(dir, 'durable.db');
  createFilesystemDb(path, SUPERBLOCK);
  const meta = openMetadata(path, SUPERBLOCK);
  const f = meta.mknod(ROOT_INO, Buffer.from('f'), { kind: 'file', perm: 0o644, uid: 0, gid: 0, nowMs: 1 });
  meta.commitChunks(f.ino, [{ idx: 0, objectId: '00000000000000aa', len: 5, xxh64: 'c'.repeat(16) }], 5);
  meta.close();
  const raw = new Database(path, { readonly: true });
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  raw.close();
  const back = openMetadata(path, SUPERBLOCK);
  try {
    assert.equal(back.lookup(ROOT_INO, Buffer.from('f')).size, 5);
    assert.equal(back.getChunk(f.ino, 0)?.objectId, '00000000000000aa');
  } finally {
    back.close();
  }
});

test('sqlite: a snapshot is one self-contained database file that opens on its own', async () => {
  const path = join(dir, 'snap-src.db');
  createFilesystemDb(path, SUPERBLOCK);
  const meta = openMetadata(path, SUPERBLOCK);
  try {
    meta.mknod(ROOT_INO, Buffer.from('x'), { kind: 'dir', perm: 0o755, uid: 0, gid: 0, nowMs: 1 });
    const { seq, db } = await meta.takeSnapshot();
    // Written during the copy's life but after it was taken: must not appear in it.
    meta.mknod(ROOT_INO, Buffer.from('y'), { kind: 'dir', perm: 0o755, uid: 0, gid: 0, nowMs: 1 });
    assert.equal(db.subarray(0, 16).toString('latin1'), 'SQLite format 3\0');
    const copyPath = join(dir, 'snap-copy.db');
    writeFileSync(copyPath, db);
    const copy = openMetadata(copyPath, SUPERBLOCK);
    try {
      assert.equal(copy.lookup(ROOT_INO, Buffer.from('x')).kind, 'dir');
      assert.throws(() => copy.lookup(ROOT_INO, Buffer.from('y')), (e: unknown) => e instanceof FsError && e.errno === 'ENOENT');
      assert.equal(copy.lastUploadedSnapshot(), seq);
    } finally {
      copy.close();
    }
    assert.equal(meta.lastUploadedSnapshot(), 0, 'taking is not uploading');
  } finally {
    meta.close();
  }
});

test('sqlite: a failed transaction leaves nothing behind', () => {
  const path = join(dir, 'atomic.db');
  createFilesystemDb(path, SUPERBLOCK);
  const meta = openMetadata(path, SUPERBLOCK, { synchronous: 'normal' });
  try {
    const f = meta.mknod(ROOT_INO, Buffer.from('f'), { kind: 'file', perm: 0o644, uid: 0, gid: 0, nowMs: 1 });
    // The second update has a NULL checksum, which the schema refuses after the first was written.
    const bad = [
      { idx: 0, objectId: '00000000000000aa', len: 5, xxh64: 'c'.repeat(16) },
      { idx: 1, objectId: '00000000000000bb', len: 5, xxh64: null as unknown as string },
    ];
    assert.throws(() => meta.commitChunks(f.ino, bad, 10), /NOT NULL/);
    assert.equal(meta.getChunk(f.ino, 0), null);
    assert.equal(meta.getattr(f.ino).size, 0);
    assert.equal(meta.statfs().objects, 0);
  } finally {
    meta.close();
  }
});

test('sqlite: with normal sync, sync() writes one commit to the WAL (synced under full) and commits go on', () => {
  const path = join(dir, 'lazy.db');
  createFilesystemDb(path, SUPERBLOCK);
  const meta = openMetadata(path, SUPERBLOCK, { synchronous: 'normal' });
  // The WAL's size: it only grows here (the database is too small for an automatic checkpoint).
  const walBytes = (): number => statSync(`${path}-wal`).size;
  try {
    meta.mknod(ROOT_INO, Buffer.from('a'), { kind: 'file', perm: 0o644, uid: 0, gid: 0, nowMs: 1 });
    const before = walBytes();
    meta.sync();
    assert.ok(walBytes() > before, 'sync() appended no commit to the WAL');
    const again = walBytes();
    meta.sync();
    assert.ok(walBytes() > again, 'a second sync() appended no commit to the WAL');
    meta.mknod(ROOT_INO, Buffer.from('b'), { kind: 'file', perm: 0o644, uid: 0, gid: 0, nowMs: 2 });
    meta.sync();
  } finally {
    meta.close();
  }
  const back = openMetadata(path, SUPERBLOCK);
  try {
    assert.equal(back.readdir(ROOT_INO, null, 10).length, 2);
  } finally {
    back.close();
  }
});
