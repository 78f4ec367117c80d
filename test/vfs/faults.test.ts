import { test } from 'node:test';
import assert from 'node:assert/strict';
import { objectIdOfKey } from '../../src/metadata/layout.js';
import { ROOT_INO } from '../../src/metadata/types.js';
import { withFaultInjection, type FaultInjectingStore } from '../../src/store/fault.js';
import { listAll, type ObjectStore } from '../../src/store/types.js';
import { O_CREAT, O_RDONLY, O_RDWR } from '../../src/vfs/flags.js';
import { ME, openFixture, type FsFixture } from '../helpers/fs-fixture.js';

const MiB = 1024 * 1024;

async function storedChunkIds(store: ObjectStore): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const o of listAll(store, 'chunks/')) ids.add(objectIdOfKey(o.key)!);
  return ids;
}

async function readAll(fx: FsFixture, ino: number): Promise<Buffer> {
  const fh = await fx.vfs.open(ino, O_RDONLY);
  try {
    return await fx.vfs.read(fh, 0, 100 * MiB);
  } finally {
    await fx.vfs.release(fh);
  }
}

test('a PUT that reaches the store but reports failure (lost response): fsync is EIO, nothing committed; the retry commits', async (t) => {
  let faults!: FaultInjectingStore;
  const fx = await openFixture(t, { wrap: (s) => (faults = withFaultInjection(s, { only: ['put'] })) });
  const data = Buffer.alloc(MiB + 5, 0x3c);
  const { attr, fh } = await fx.vfs.create(ROOT_INO, Buffer.from('f'), 0o644, O_RDWR | O_CREAT, ME);
  // Set before the write: a full chunk starts uploading without waiting for fsync.
  faults.setFaults({ failAfterPut: 1 });
  await fx.vfs.write(fh, 0, data);
  await assert.rejects(fx.vfs.fsync(fh, false), { errno: 'EIO' });
  assert.ok(faults.faults.failedAfterPut > 0, 'objects reached the store');
  assert.deepEqual(fx.chunks(attr.ino), [], 'no chunk committed for a PUT that did not succeed');
  assert.equal(fx.committed(attr.ino).size, 0);
  faults.setFaults({ failAfterPut: 0 });
  await fx.vfs.fsync(fh, false);
  await fx.vfs.release(fh);
  assert.equal(fx.chunks(attr.ino).length, 2);
  await fx.reopen();
  assert.ok((await readAll(fx, attr.ino)).equals(data));
});

test('a PUT refused before reaching the store: fsync is EIO and the data stays dirty until a later fsync succeeds', async (t) => {
  let faults!: FaultInjectingStore;
  const fx = await openFixture(t, { wrap: (s) => (faults = withFaultInjection(s, { only: ['put'] })) });
  const { attr, fh } = await fx.vfs.create(ROOT_INO, Buffer.from('f'), 0o644, O_RDWR | O_CREAT, ME);
  await fx.vfs.write(fh, 0, Buffer.from('precious'));
  faults.setFaults({ failRate: 1 });
  await assert.rejects(fx.vfs.fsync(fh, false), { errno: 'EIO' });
  assert.equal((await fx.vfs.read(fh, 0, 100)).toString(), 'precious', 'still readable from the dirty cache');
  faults.setFaults({ failRate: 0 });
  await fx.vfs.fsync(fh, false);
  await fx.vfs.release(fh);
  await fx.reopen();
  assert.equal((await readAll(fx, attr.ino)).toString(), 'precious');
});

test('deletes failing after the commit: retired objects stay (never a referenced one), and a later snapshot deletes them', async (t) => {
  let faults!: FaultInjectingStore;
  const fx = await openFixture(t, { wrap: (s) => (faults = withFaultInjection(s, { only: ['delete', 'deleteMany'] })) });
  const { attr, fh } = await fx.vfs.create(ROOT_INO, Buffer.from('f'), 0o644, O_RDWR | O_CREAT, ME);
  await fx.vfs.write(fh, 0, Buffer.alloc(2 * MiB, 1));
  await fx.vfs.fsync(fh, false);
  const first = new Set(fx.chunks(attr.ino).map((c) => c.objectId));
  await fx.vfs.write(fh, 0, Buffer.alloc(2 * MiB, 2));
  await fx.vfs.fsync(fh, false);
  await fx.vfs.release(fh);
  faults.setFaults({ failRate: 1 });
  await assert.rejects(fx.fs.snapshotNow());
  const stored = await storedChunkIds(fx.raw);
  for (const id of first) assert.ok(stored.has(id), 'the retired object is still there: its delete failed');
  // The final deletes fail too, and so does the lease's: the next mount takes it over.
  await fx.close().catch(() => undefined);
  faults.setFaults({ failRate: 0 });
  await fx.reopen({ forceLease: true });
  assert.ok((await readAll(fx, attr.ino)).equals(Buffer.alloc(2 * MiB, 2)));
  await fx.fs.snapshotNow();
  const live = new Set(fx.chunks(attr.ino).map((c) => c.objectId));
  assert.deepEqual([...(await storedChunkIds(fx.raw))].sort(), [...live].sort(), 'only referenced objects remain');
});

test('an unlinked-but-open file left by a crash is destroyed at the next mount, its objects retired', async (t) => {
  const fx = await openFixture(t);
  const { attr, fh } = await fx.vfs.create(ROOT_INO, Buffer.from('f'), 0o644, O_RDWR | O_CREAT, ME);
  await fx.vfs.write(fh, 0, Buffer.alloc(MiB, 9));
  await fx.vfs.fsync(fh, false);
  await fx.vfs.unlink(ROOT_INO, Buffer.from('f'));
  assert.equal(fx.committed(attr.ino).nlink, 0, 'an orphan while open');
  fx.abandon();
  await fx.reopen({ forceLease: true });
  await assert.rejects(fx.vfs.getattr(attr.ino), { errno: 'ENOENT' });
  await fx.fs.snapshotNow();
  assert.equal((await storedChunkIds(fx.raw)).size, 0, 'its chunk objects are deleted');
});
