import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_INO } from '../../src/metadata/types.js';
import { withFaultInjection, type FaultInjectingStore } from '../../src/store/fault.js';
import { MAX_FILE_SIZE, O_APPEND, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY } from '../../src/vfs/flags.js';
import { ME, openFixture } from '../helpers/fs-fixture.js';

const n = (s: string) => Buffer.from(s);

test('read and write through numbered handles; unknown handles are EBADF', async (t) => {
  const { vfs } = await openFixture(t);
  const { attr, fh } = await vfs.create(ROOT_INO, n('f'), 0o644, O_RDWR | O_CREAT, ME);
  assert.equal(await vfs.write(fh, 0, n('hello world')), 11);
  assert.equal((await vfs.read(fh, 6, 100)).toString(), 'world');
  assert.equal((await vfs.read(fh, 11, 10)).length, 0, 'a read at the end is empty');
  assert.equal((await vfs.read(fh, 1000, 10)).length, 0, 'a read past the end is empty');
  await vfs.release(fh);
  await assert.rejects(vfs.read(fh, 0, 1), { errno: 'EBADF' });
  await assert.rejects(vfs.write(fh, 0, n('x')), { errno: 'EBADF' });
  await assert.rejects(vfs.flush(fh), { errno: 'EBADF' });
  await assert.rejects(vfs.fsync(fh, false), { errno: 'EBADF' });
  await assert.rejects(vfs.release(fh), { errno: 'EBADF' });
  await assert.rejects(vfs.read(12345, 0, 1), { errno: 'EBADF' });
  const again = await vfs.open(attr.ino, O_RDONLY);
  assert.notEqual(again, fh, 'handle numbers are not reused');
  assert.equal((await vfs.read(again, 0, 100)).toString(), 'hello world');
  await vfs.release(again);
});

test('an O_RDONLY handle refuses writes and an O_WRONLY handle refuses reads, with EBADF', async (t) => {
  const { vfs } = await openFixture(t);
  const { attr, fh } = await vfs.create(ROOT_INO, n('f'), 0o644, O_WRONLY | O_CREAT, ME);
  await vfs.write(fh, 0, n('abc'));
  await assert.rejects(vfs.read(fh, 0, 3), { errno: 'EBADF' });
  const ro = await vfs.open(attr.ino, O_RDONLY);
  await assert.rejects(vfs.write(ro, 0, n('x')), { errno: 'EBADF' });
  await assert.rejects(vfs.setattr(attr.ino, { size: 0 }, undefined, ro), { errno: 'EINVAL' }, 'ftruncate of a read-only handle');
  assert.equal((await vfs.read(ro, 0, 10)).toString(), 'abc');
  await vfs.release(ro);
  await vfs.release(fh);
});

test('directories: open for writing is EISDIR; a read-only handle of a directory reads EISDIR', async (t) => {
  const { vfs } = await openFixture(t);
  const d = await vfs.mkdir(ROOT_INO, n('d'), 0o755, ME);
  await assert.rejects(vfs.open(d.ino, O_WRONLY), { errno: 'EISDIR' });
  await assert.rejects(vfs.open(d.ino, O_RDWR), { errno: 'EISDIR' });
  const fh = await vfs.open(d.ino, O_RDONLY);
  await assert.rejects(vfs.read(fh, 0, 10), { errno: 'EISDIR' });
  await assert.rejects(vfs.write(fh, 0, n('x')), { errno: 'EISDIR' });
  await vfs.release(fh);
  await assert.rejects(vfs.open(999_999, O_RDONLY), { errno: 'ENOENT' });
});

test('O_TRUNC empties the file; O_APPEND writes go to the end whatever the offset', async (t) => {
  const { vfs } = await openFixture(t);
  const c = await vfs.create(ROOT_INO, n('f'), 0o644, O_WRONLY | O_CREAT, ME);
  await vfs.write(c.fh, 0, Buffer.alloc(3 * 1024 * 1024, 7));
  await vfs.release(c.fh);
  const tr = await vfs.open(c.attr.ino, O_WRONLY | O_TRUNC);
  assert.equal((await vfs.getattr(c.attr.ino)).size, 0);
  await vfs.write(tr, 0, n('one'));
  await vfs.release(tr);
  const ap = await vfs.open(c.attr.ino, O_WRONLY | O_APPEND);
  await vfs.write(ap, 0, n('-two'));
  await vfs.write(ap, 1, n('-three'));
  await vfs.release(ap);
  const rd = await vfs.open(c.attr.ino, O_RDONLY);
  assert.equal((await vfs.read(rd, 0, 100)).toString(), 'one-two-three');
  await vfs.release(rd);
  // create on an existing name without O_EXCL opens it, with O_TRUNC applied.
  const again = await vfs.create(ROOT_INO, n('f'), 0o644, O_RDWR | O_CREAT | O_TRUNC, ME);
  assert.equal(again.attr.ino, c.attr.ino);
  assert.equal(again.attr.size, 0);
  await vfs.release(again.fh);
  await assert.rejects(vfs.create(ROOT_INO, n('f'), 0o644, O_RDWR | O_CREAT | O_EXCL, ME), { errno: 'EEXIST' });
});

test('writes and truncates past the maximum file size are EFBIG; negative offsets EINVAL', async (t) => {
  const { vfs } = await openFixture(t);
  const { attr, fh } = await vfs.create(ROOT_INO, n('f'), 0o644, O_RDWR | O_CREAT, ME);
  await assert.rejects(vfs.write(fh, MAX_FILE_SIZE - 1, n('ab')), { errno: 'EFBIG' });
  assert.equal(await vfs.write(fh, MAX_FILE_SIZE - 1, n('a')), 1, 'the last byte below the limit is writable');
  assert.equal((await vfs.getattr(attr.ino)).size, MAX_FILE_SIZE);
  await assert.rejects(vfs.setattr(attr.ino, { size: MAX_FILE_SIZE + 1 }), { errno: 'EFBIG' });
  await assert.rejects(vfs.write(fh, -1, n('a')), { errno: 'EINVAL' });
  await vfs.release(fh);
});

test('the size of an open file lives in memory and reaches the metadata at flush, fsync and release, not per write', async (t) => {
  const fx = await openFixture(t);
  const { vfs } = fx;
  const { attr, fh } = await vfs.create(ROOT_INO, n('f'), 0o644, O_RDWR | O_CREAT, ME);
  await vfs.write(fh, 0, Buffer.alloc(5000, 1));
  assert.equal((await vfs.getattr(attr.ino)).size, 5000, 'getattr of the open inode reports the written size');
  assert.equal((await vfs.lookup(ROOT_INO, n('f'))).size, 5000);
  assert.equal(fx.committed(attr.ino).size, 0, 'not committed per write');
  await vfs.flush(fh);
  assert.equal(fx.committed(attr.ino).size, 5000);
  await vfs.write(fh, 5000, Buffer.alloc(1000, 2));
  assert.equal(fx.committed(attr.ino).size, 5000);
  await vfs.fsync(fh, false);
  assert.equal(fx.committed(attr.ino).size, 6000);
  await vfs.write(fh, 6000, Buffer.alloc(1000, 3));
  const mtime = (await vfs.getattr(attr.ino)).mtimeMs;
  await vfs.release(fh);
  const done = fx.committed(attr.ino);
  assert.equal(done.size, 7000);
  assert.equal(done.mtimeMs, mtime, 'the write time is what gets committed');
  assert.ok(done.ctimeMs >= done.mtimeMs);
});

test('ftruncate and truncate through setattr cut and grow the file; grown bytes read as zeros', async (t) => {
  const { vfs } = await openFixture(t);
  const { attr, fh } = await vfs.create(ROOT_INO, n('f'), 0o644, O_RDWR | O_CREAT, ME);
  await vfs.write(fh, 0, Buffer.alloc(2 * 1024 * 1024 + 10, 0xaa));
  await vfs.setattr(attr.ino, { size: 100 }, ME, fh);
  assert.equal((await vfs.getattr(attr.ino)).size, 100);
  await vfs.setattr(attr.ino, { size: 3 * 1024 * 1024 }, ME, fh);
  const tail = await vfs.read(fh, 90, 30);
  assert.deepEqual([...tail], [...Buffer.alloc(10, 0xaa), ...Buffer.alloc(20, 0)]);
  const far = await vfs.read(fh, 2 * 1024 * 1024, 20);
  assert.ok(far.equals(Buffer.alloc(20)), 'data cut away does not come back');
  await vfs.release(fh);
  await vfs.setattr(attr.ino, { size: 50 });
  assert.equal((await vfs.getattr(attr.ino)).size, 50);
});

test('an unlinked file that is still open stays readable and writable until its last release, then is destroyed', async (t) => {
  const fx = await openFixture(t);
  const { vfs } = fx;
  const { attr, fh } = await vfs.create(ROOT_INO, n('f'), 0o644, O_RDWR | O_CREAT, ME);
  await vfs.write(fh, 0, n('still here'));
  await vfs.fsync(fh, false);
  const second = await vfs.open(attr.ino, O_RDONLY);
  await vfs.unlink(ROOT_INO, n('f'));
  await assert.rejects(vfs.lookup(ROOT_INO, n('f')), { errno: 'ENOENT' });
  assert.equal((await vfs.getattr(attr.ino)).nlink, 0);
  await vfs.write(fh, 10, n(' and more'));
  assert.equal((await vfs.read(second, 0, 100)).toString(), 'still here and more');
  await assert.rejects(vfs.link(attr.ino, ROOT_INO, n('back')), { errno: 'ENOENT' });
  await vfs.release(fh);
  assert.equal((await vfs.read(second, 0, 5)).toString(), 'still');
  await vfs.release(second);
  await assert.rejects(vfs.getattr(attr.ino), { errno: 'ENOENT' });
  await assert.rejects(Promise.resolve().then(() => fx.committed(attr.ino)), { errno: 'ENOENT' });
});

test('a file replaced by rename while open keeps working until released, then is destroyed', async (t) => {
  const { vfs } = await openFixture(t);
  const old = await vfs.create(ROOT_INO, n('target'), 0o644, O_RDWR | O_CREAT, ME);
  await vfs.write(old.fh, 0, n('old contents'));
  const repl = await vfs.create(ROOT_INO, n('new'), 0o644, O_RDWR | O_CREAT, ME);
  await vfs.write(repl.fh, 0, n('new contents'));
  await vfs.release(repl.fh);
  await vfs.rename(ROOT_INO, n('new'), ROOT_INO, n('target'));
  assert.equal((await vfs.lookup(ROOT_INO, n('target'))).ino, repl.attr.ino);
  assert.equal((await vfs.read(old.fh, 0, 100)).toString(), 'old contents');
  await vfs.write(old.fh, 0, n('OLD'));
  assert.equal((await vfs.read(old.fh, 0, 100)).toString(), 'OLD contents');
  await vfs.release(old.fh);
  await assert.rejects(vfs.getattr(old.attr.ino), { errno: 'ENOENT' });
});

test('an inode unlinked while open survives close-and-reopen only until the mount destroys orphans', async (t) => {
  const fx = await openFixture(t);
  const { attr, fh } = await fx.vfs.create(ROOT_INO, n('f'), 0o644, O_RDWR | O_CREAT, ME);
  await fx.vfs.write(fh, 0, n('x'));
  await fx.vfs.unlink(ROOT_INO, n('f'));
  await fx.reopen(); // close() releases the handle: the orphan goes
  await assert.rejects(fx.vfs.getattr(attr.ino), { errno: 'ENOENT' });
});

const faulty = (): { wrap: (s: import('../../src/store/types.js').ObjectStore) => FaultInjectingStore; store: () => FaultInjectingStore } => {
  let made: FaultInjectingStore | undefined;
  return {
    wrap: (s) => (made = withFaultInjection(s, { only: ['put'] })),
    store: () => made!,
  };
};

test('default mode: close (flush) waits for the upload, so a failing store fails the close with EIO', async (t) => {
  const f = faulty();
  const fx = await openFixture(t, { wrap: f.wrap });
  const { attr, fh } = await fx.vfs.create(ROOT_INO, n('f'), 0o644, O_RDWR | O_CREAT, ME);
  await fx.vfs.write(fh, 0, n('data'));
  f.store().setFaults({ failRate: 1 });
  await assert.rejects(fx.vfs.flush(fh), { errno: 'EIO' });
  assert.equal(fx.committed(attr.ino).size, 0, 'no size committed for data that is not stored');
  f.store().setFaults({ failRate: 0 });
  await fx.vfs.flush(fh);
  assert.equal(fx.committed(attr.ino).size, 4);
  await fx.vfs.release(fh);
});

test('writeback mode: close returns once the data is journaled even when the store fails; fsync still needs the upload', async (t) => {
  const f = faulty();
  const fx = await openFixture(t, { wrap: f.wrap, writeback: true });
  const { attr, fh } = await fx.vfs.create(ROOT_INO, n('f'), 0o644, O_RDWR | O_CREAT, ME);
  await fx.vfs.write(fh, 0, n('journaled'));
  f.store().setFaults({ failRate: 1 });
  await fx.vfs.flush(fh);
  assert.equal(fx.committed(attr.ino).size, 9, 'the size is committed at close');
  await fx.vfs.write(fh, 9, n('!'));
  await assert.rejects(fx.vfs.fsync(fh, false), { errno: 'EIO' });
  f.store().setFaults({ failRate: 0 });
  await fx.vfs.fsync(fh, false);
  await fx.vfs.release(fh);
  await fx.reopen({ writeback: false });
  const rd = await fx.vfs.open(attr.ino, O_RDONLY);
  assert.equal((await fx.vfs.read(rd, 0, 100)).toString(), 'journaled!');
  await fx.vfs.release(rd);
});

test('reads past the written end of a chunk, inside the file size (after truncate up), are zeros', async (t) => {
  const fx = await openFixture(t);
  const { attr, fh } = await fx.vfs.create(ROOT_INO, n('f'), 0o644, O_RDWR | O_CREAT, ME);
  await fx.vfs.write(fh, 0, Buffer.alloc(100, 1));
  await fx.vfs.setattr(attr.ino, { size: 4096 }, ME, fh);
  assert.ok((await fx.vfs.read(fh, 500, 100)).equals(Buffer.alloc(100)), 'dirty chunk, beyond its bytes');
  await fx.vfs.fsync(fh, false);
  await fx.reopen();
  const rd = await fx.vfs.open(attr.ino, O_RDONLY);
  assert.ok((await fx.vfs.read(rd, 500, 100)).equals(Buffer.alloc(100)), 'stored chunk, beyond its bytes');
  const all = await fx.vfs.read(rd, 0, 5000);
  assert.equal(all.length, 4096);
  assert.ok(all.subarray(0, 100).equals(Buffer.alloc(100, 1)) && all.subarray(100).equals(Buffer.alloc(3996)));
  await fx.vfs.release(rd);
});
