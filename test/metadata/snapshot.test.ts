import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { MemStore } from '../../src/store/mem.js';
import { MetadataError } from '../../src/metadata/errors.js';
import { objectKey, snapshotKey } from '../../src/metadata/layout.js';
import { openMetadata, type SqliteMetadata } from '../../src/metadata/sqlite.js';
import {
  deleteDueObjects, listSnapshots, restoreLatestSnapshot, Snapshotter, uploadSnapshot,
} from '../../src/metadata/snapshot.js';
import { createFilesystemDb } from '../../src/metadata/superblock.js';
import { ROOT_INO, type Metadata } from '../../src/metadata/types.js';
import { tempDir } from '../helpers/tmp.js';
import { SUPERBLOCK } from './conformance.js';

const dir = tempDir('chunkfs-snap');
let n = 0;
const B = (s: string) => Buffer.from(s);
const oid = (i: number) => i.toString(16).padStart(16, '0');
const chunk = (idx: number, i: number) => ({ idx, objectId: oid(i), len: 3, xxh64: 'b'.repeat(16) });

function fresh(): { meta: SqliteMetadata; path: string } {
  const path = join(dir, `s${++n}.db`);
  createFilesystemDb(path, SUPERBLOCK);
  const meta = openMetadata(path, SUPERBLOCK, { synchronous: 'normal' });
  return { meta, path };
}

/** Everything observable through the interface, walked from the root. */
function dump(m: Metadata): unknown[] {
  const out: unknown[] = [];
  const walk = (ino: number, path: string) => {
    const a = m.getattr(ino);
    const entry: Record<string, unknown> = { path, attr: a, xattrs: m.listxattr(ino).map((x) => [x, m.getxattr(ino, x).toString('hex')]) };
    if (a.kind === 'symlink') entry.target = m.readlink(ino).toString('hex');
    if (a.kind === 'file') entry.chunks = m.getChunks(ino, 0, 1e9);
    out.push(entry);
    if (a.kind === 'dir') for (const e of m.readdir(ino, null, 1e6)) walk(e.attr.ino, `${path}/${e.name.toString('hex')}`);
  };
  walk(ROOT_INO, '');
  return out;
}

/** Polls `cond` until it holds; fails after `ms`. */
async function waitFor(cond: () => Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) assert.fail('condition not reached in time');
    await sleep(10);
  }
}

function populate(m: Metadata): void {
  const d = m.mknod(ROOT_INO, B('dir'), { kind: 'dir', perm: 0o750, uid: 1, gid: 2, nowMs: 10 });
  const f = m.mknod(d.ino, Buffer.from([0xff, 0x01]), { kind: 'file', perm: 0o600, uid: 1, gid: 2, nowMs: 11 });
  m.commitChunks(f.ino, [chunk(0, 1), chunk(3, 2)], 3 * SUPERBLOCK.chunkSize + 3);
  m.link(f.ino, ROOT_INO, B('hard'), 12);
  m.mknod(ROOT_INO, B('ln'), { kind: 'symlink', perm: 0o777, uid: 0, gid: 0, target: B('dir/x'), nowMs: 13 });
  m.setxattr(f.ino, 'user.k', Buffer.from([0, 9]));
}

test('a snapshot uploaded, local database lost, restored: identical content', async () => {
  const store = new MemStore();
  const { meta, path } = fresh();
  populate(meta);
  const before = dump(meta);
  const up = await uploadSnapshot(meta, store);
  assert.equal(up.key, snapshotKey(up.seq));
  assert.match(up.key, /^meta\/\d{12}\.db\.gz$/);
  assert.equal(meta.lastUploadedSnapshot(), up.seq);
  meta.close();
  for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });

  assert.equal(await restoreLatestSnapshot(store, path), up.seq);
  const back = openMetadata(path, SUPERBLOCK);
  try {
    assert.deepEqual(dump(back), before);
    assert.equal(back.lastUploadedSnapshot(), up.seq, 'the restored database knows its snapshot is uploaded');
    assert.equal(back.changedSinceSnapshot(), false);
    assert.equal((await back.takeSnapshot()).seq, up.seq + 1, 'seqs continue after a restore');
  } finally {
    back.close();
  }
});

test('restore picks the newest snapshot, replaces the file atomically and drops a stale WAL', async () => {
  const store = new MemStore();
  const { meta, path } = fresh();
  await uploadSnapshot(meta, store);
  meta.mknod(ROOT_INO, B('later'), { kind: 'file', perm: 0o644, uid: 0, gid: 0, nowMs: 1 });
  const second = await uploadSnapshot(meta, store);
  meta.close();
  writeFileSync(`${path}-wal`, 'garbage that SQLite must never replay');
  assert.equal(await restoreLatestSnapshot(store, path), second.seq);
  assert.equal(existsSync(`${path}-wal`), false);
  const back = openMetadata(path, SUPERBLOCK);
  try {
    assert.equal(back.lookup(ROOT_INO, B('later')).kind, 'file');
  } finally {
    back.close();
  }
});

test('restore from a store without snapshots returns null and leaves the file alone', async () => {
  const store = new MemStore();
  await store.put('meta/lock', B('{}'));
  const path = join(dir, 'untouched.db');
  writeFileSync(path, 'x');
  assert.equal(await restoreLatestSnapshot(store, path), null);
  assert.equal(existsSync(path), true);
});

test('uploads keep only the newest N snapshots (default 5)', async () => {
  const store = new MemStore();
  const { meta } = fresh();
  try {
    const seqs: number[] = [];
    for (let i = 0; i < 7; i++) seqs.push((await uploadSnapshot(meta, store)).seq);
    assert.deepEqual(await listSnapshots(store), seqs.slice(2));
    await uploadSnapshot(meta, store, { keep: 2 });
    assert.deepEqual(await listSnapshots(store), [seqs[6]!, seqs[6]! + 1]);
    await store.put('meta/lock', B('{}'));
    await uploadSnapshot(meta, store, { keep: 1 });
    assert.ok(await store.head('meta/lock'), 'pruning touches snapshots only');
  } finally {
    meta.close();
  }
});

test('deleteDueObjects deletes retired objects only once a later snapshot is uploaded', async () => {
  const store = new MemStore();
  const { meta } = fresh();
  try {
    const f = meta.mknod(ROOT_INO, B('f'), { kind: 'file', perm: 0o644, uid: 0, gid: 0, nowMs: 1 });
    for (const i of [1, 2, 3]) await store.put(objectKey(oid(i)), B('abc'));
    meta.commitChunks(f.ino, [chunk(0, 1)]);
    meta.commitChunks(f.ino, [chunk(0, 2)]); // retires 1
    assert.equal(await deleteDueObjects(meta, store), 0);
    assert.ok(await store.head(objectKey(oid(1))));
    await uploadSnapshot(meta, store);
    meta.commitChunks(f.ino, [chunk(0, 3)]); // retires 2, maybe named by the snapshot just uploaded
    assert.equal(await deleteDueObjects(meta, store), 1);
    assert.equal(await store.head(objectKey(oid(1))), null);
    assert.ok(await store.head(objectKey(oid(2))));
    assert.deepEqual(meta.dueDeletions(10), []);
    await uploadSnapshot(meta, store);
    assert.equal(await deleteDueObjects(meta, store), 1);
    assert.equal(await store.head(objectKey(oid(2))), null);
    assert.ok(await store.head(objectKey(oid(3))));
  } finally {
    meta.close();
  }
});

test('deferred deletion keeps the newest snapshot whole: every object it names is in the store', async () => {
  const store = new MemStore();
  const { meta, path } = fresh();
  const f = meta.mknod(ROOT_INO, B('f'), { kind: 'file', perm: 0o644, uid: 0, gid: 0, nowMs: 1 });
  let next = 1;
  for (let round = 0; round < 4; round++) {
    const id = oid(next++);
    await store.put(objectKey(id), B('abc'));
    meta.commitChunks(f.ino, [{ ...chunk(0, 0), objectId: id }]);
    await uploadSnapshot(meta, store, { keep: 2 });
    await deleteDueObjects(meta, store);
  }
  meta.close();
  await restoreLatestSnapshot(store, path);
  const back = openMetadata(path, SUPERBLOCK);
  try {
    for (const { objectId } of back.referencedObjects(null, 1000)) assert.ok(await store.head(objectKey(objectId)), objectId);
    const chunks = (await Promise.all([...Array(next - 1).keys()].map((i) => store.head(objectKey(oid(i + 1)))))).filter(Boolean);
    assert.equal(chunks.length, 1, 'every older object was deleted once a snapshot without it was uploaded');
  } finally {
    back.close();
  }
});

test('Snapshotter: periodic only when changed, on demand, serialized', async () => {
  const store = new MemStore();
  const { meta } = fresh();
  const errors: unknown[] = [];
  const snap = new Snapshotter(meta, store, { intervalMs: 20, keep: 100, onError: (e) => errors.push(e) });
  try {
    await waitFor(async () => (await listSnapshots(store)).length === 1 && !meta.changedSinceSnapshot());
    const afterIdle = await listSnapshots(store);
    await sleep(100);
    assert.deepEqual(await listSnapshots(store), afterIdle, 'nothing changed: no upload');
    meta.mknod(ROOT_INO, B('f'), { kind: 'file', perm: 0o644, uid: 0, gid: 0, nowMs: 1 });
    await waitFor(async () => (await listSnapshots(store)).length === 2);
    const [a, b] = await Promise.all([snap.snapshotNow(), snap.snapshotNow()]);
    assert.equal(b.seq, a.seq + 1);
    assert.equal(meta.lastUploadedSnapshot(), b.seq);
  } finally {
    await snap.close();
    meta.close();
  }
  assert.deepEqual(errors, []);
});

test('Snapshotter.close uploads the last change, once; without a change it uploads nothing', async () => {
  const store = new MemStore();
  const { meta } = fresh();
  try {
    const idle = new Snapshotter(meta, store, { intervalMs: 0 });
    await idle.snapshotNow();
    assert.equal(await idle.close(), null);
    const snap = new Snapshotter(meta, store, { intervalMs: 0 });
    meta.mknod(ROOT_INO, B('g'), { kind: 'file', perm: 0o644, uid: 0, gid: 0, nowMs: 1 });
    const last = await snap.close();
    assert.ok(last);
    assert.equal(meta.lastUploadedSnapshot(), last.seq);
    assert.equal(meta.changedSinceSnapshot(), false);
    assert.equal(await snap.close(), null);
    assert.equal((await listSnapshots(store)).length, 2);
  } finally {
    meta.close();
  }
});

test('a failed upload is retried by the next snapshotIfChanged; stale local metadata is refused', async () => {
  const store = new MemStore();
  const { meta } = fresh();
  try {
    let fail = true;
    const flaky = Object.assign(Object.create(store) as MemStore, {
      async put(key: string, body: Uint8Array) {
        if (fail) throw new Error('store down');
        await store.put(key, body);
      },
    });
    const snap = new Snapshotter(meta, flaky, { intervalMs: 0 });
    await assert.rejects(snap.snapshotNow(), /store down/);
    assert.equal(meta.changedSinceSnapshot(), true);
    fail = false;
    const done = await snap.snapshotIfChanged();
    assert.ok(done);
    assert.deepEqual(await listSnapshots(store), [done.seq]);
    await snap.close();

    // Another copy of the metadata got ahead in the store: this one must not overwrite it.
    await store.put(snapshotKey(done.seq + 5), Buffer.from('newer'));
    meta.mknod(ROOT_INO, B('x'), { kind: 'file', perm: 0o644, uid: 0, gid: 0, nowMs: 1 });
    await assert.rejects(uploadSnapshot(meta, store), /stale/);
    assert.equal(meta.lastUploadedSnapshot(), done.seq);
  } finally {
    meta.close();
  }
});

test('deleteDueObjects works through more than one batch', async () => {
  const store = new MemStore();
  const { meta } = fresh();
  try {
    const f = meta.mknod(ROOT_INO, B('f'), { kind: 'file', perm: 0o644, uid: 0, gid: 0, nowMs: 1 });
    const count = 2100;
    meta.commitChunks(f.ino, [...Array(count).keys()].map((i) => chunk(i, i + 1)));
    for (let i = 1; i <= count; i++) await store.put(objectKey(oid(i)), B('abc'));
    meta.setattr(f.ino, { size: 0 });
    await uploadSnapshot(meta, store);
    assert.equal(await deleteDueObjects(meta, store), count);
    assert.deepEqual((await store.listPage('chunks/')).items, []);
    assert.equal(await deleteDueObjects(meta, store), 0);
  } finally {
    meta.close();
  }
});

test('a corrupt newest snapshot is a clear MetadataError and leaves the local file alone', async () => {
  const store = new MemStore();
  const path = join(dir, 'keep.db');
  writeFileSync(path, 'local');
  await store.put(snapshotKey(3), B('not gzip at all'));
  await assert.rejects(restoreLatestSnapshot(store, path), (e: unknown) => e instanceof MetadataError && /meta\/000000000003\.db\.gz is corrupt \(not gzip\)/.test(e.message));
  await store.put(snapshotKey(4), gzipSync(B('gzip, but no database')));
  await assert.rejects(restoreLatestSnapshot(store, path), /corrupt \(no SQLite database\)/);
  assert.equal(readFileSync(path, 'utf8'), 'local');
});
