import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LeaseHeld, NotFormatted } from '../../src/errors.js';
import { LEASE_KEY } from '../../src/metadata/layout.js';
import { listSnapshots } from '../../src/metadata/snapshot.js';
import { ROOT_INO } from '../../src/metadata/types.js';
import { MemStore } from '../../src/store/mem.js';
import { formatFilesystem, openFilesystem } from '../../src/vfs/filesystem.js';
import { tempDir } from '../helpers/tmp.js';
import { ME, ROOT, openFixture } from '../helpers/fs-fixture.js';

const quiet = { warn: () => {}, snapshotIntervalMs: 0 };

test('an unformatted store fails with NotFormatted', async () => {
  await assert.rejects(openFilesystem({ store: new MemStore(), localDir: tempDir(), ...quiet }), NotFormatted);
});

test('a fresh filesystem has an empty root; close uploads a snapshot and releases the lease; close is idempotent', async () => {
  const store = new MemStore();
  const sb = await formatFilesystem(store, { chunkSize: 1024 * 1024 });
  const fs = await openFilesystem({ store, localDir: tempDir(), ...quiet });
  assert.equal(fs.superblock.uuid, sb.uuid);
  assert.ok(fs.stateDir.endsWith(sb.uuid));
  assert.deepEqual((await fs.vfs.readdir(ROOT_INO, 0, 10)).map((e) => e.name.toString()), ['.', '..']);
  assert.ok(await store.head(LEASE_KEY), 'the lease is taken');
  await fs.vfs.mkdir(ROOT_INO, Buffer.from('d'), 0o755, ROOT);
  await fs.close();
  await fs.close();
  assert.equal(await store.head(LEASE_KEY), null, 'the lease is released');
  assert.equal((await listSnapshots(store)).length, 1);
});

test('one writable mount at a time: a second gets LeaseHeld, forceLease takes over, read-only needs no lease', async (t) => {
  const fx = await openFixture(t);
  const other = tempDir();
  await assert.rejects(openFilesystem({ store: fx.store, localDir: other, ...quiet }), LeaseHeld);
  const ro = await openFilesystem({ store: fx.store, localDir: other, readOnly: true, ...quiet });
  const snapshotsBefore = await listSnapshots(fx.store);
  await assert.rejects(ro.snapshotNow());
  await ro.close();
  assert.deepEqual(await listSnapshots(fx.store), snapshotsBefore, 'a read-only mount uploads no snapshot');
  assert.ok(await fx.store.head(LEASE_KEY), 'and leaves the writable mount its lease');
  // The first mount dies without closing; another takes over with force, from the store's snapshot.
  await fx.fs.snapshotNow();
  fx.abandon();
  const forced = await openFilesystem({ store: fx.store, localDir: tempDir(), forceLease: true, ...quiet });
  await forced.close();
});

test('a local database older than the store (another mount since) is replaced by the newest snapshot when it has no changes of its own', async (t) => {
  const fx = await openFixture(t);
  await fx.close();
  const elsewhere = await openFilesystem({ store: fx.store, localDir: tempDir(), ...quiet });
  await elsewhere.vfs.mkdir(ROOT_INO, Buffer.from('made-elsewhere'), 0o755, ROOT);
  await elsewhere.close();
  await fx.reopen();
  assert.equal((await fx.vfs.lookup(ROOT_INO, Buffer.from('made-elsewhere'))).kind, 'dir');
});

test('a local database with changes of its own, older than the store, is refused for a writable mount', async (t) => {
  const fx = await openFixture(t);
  await fx.fs.snapshotNow();
  await fx.vfs.mkdir(ROOT_INO, Buffer.from('local-only'), 0o755, ME);
  fx.abandon(); // crashed with a change not in any snapshot
  const elsewhere = await openFilesystem({ store: fx.store, localDir: tempDir(), forceLease: true, ...quiet });
  await elsewhere.vfs.mkdir(ROOT_INO, Buffer.from('made-elsewhere'), 0o755, ROOT);
  await elsewhere.close();
  await assert.rejects(fx.reopen(), { code: 'ERR_METADATA' });
  await fx.reopen({ readOnly: true, warn: () => {} });
  assert.equal((await fx.vfs.lookup(ROOT_INO, Buffer.from('local-only'))).kind, 'dir', 'read-only reads the local copy');
});

test('snapshotNow uploads a snapshot of the metadata; a mount elsewhere starts from it', async (t) => {
  const fx = await openFixture(t);
  await fx.vfs.mkdir(ROOT_INO, Buffer.from('from-first'), 0o755, ME);
  const snap = await fx.fs.snapshotNow();
  assert.ok(snap.seq >= 1);
  assert.ok((await listSnapshots(fx.store)).includes(snap.seq));
  const ro = await openFilesystem({ store: fx.store, localDir: join(tempDir(), 'elsewhere'), readOnly: true, ...quiet });
  try {
    assert.equal((await ro.vfs.lookup(ROOT_INO, Buffer.from('from-first'))).kind, 'dir');
  } finally {
    await ro.close();
  }
});

test('vfs stats count uploads and dirty bytes', async (t) => {
  const fx = await openFixture(t);
  const { fh } = await fx.vfs.create(ROOT_INO, Buffer.from('f'), 0o644, 0o1, ME);
  await fx.vfs.write(fh, 0, Buffer.alloc(1000, 1));
  assert.equal(fx.vfs.stats().dirtyBytes, 1000);
  await fx.vfs.release(fh);
  const s = fx.vfs.stats();
  assert.equal(s.dirtyBytes, 0);
  assert.equal(s.uploadedObjects, 1);
  assert.equal(s.uploadedBytes, 1000);
});

test('a mount whose lease is taken over turns read-only (EROFS) instead of writing alongside the new holder', async (t) => {
  const fx = await openFixture(t, { leaseTtlMs: 300, warn: () => {} });
  await fx.vfs.mkdir(ROOT_INO, Buffer.from('before'), 0o755, ME);
  await fx.fs.snapshotNow();
  const taker = await openFilesystem({ store: fx.store, localDir: tempDir(), forceLease: true, ...quiet });
  await new Promise((r) => setTimeout(r, 400)); // a renewal period or more
  await assert.rejects(fx.vfs.mkdir(ROOT_INO, Buffer.from('after'), 0o755, ME), { errno: 'EROFS' });
  await taker.close();
});
