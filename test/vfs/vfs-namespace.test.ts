import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_INO } from '../../src/metadata/types.js';
import { ME, ROOT, openFixture } from '../helpers/fs-fixture.js';

const n = (s: string) => Buffer.from(s);
const FILE = 0o100644;

test('lookup, mkdir, mknod and create report ENOENT, EEXIST, ENOTDIR and ENAMETOOLONG as Linux does', async (t) => {
  const { vfs } = await openFixture(t);
  await assert.rejects(vfs.lookup(ROOT_INO, n('missing')), { errno: 'ENOENT' });
  const dir = await vfs.mkdir(ROOT_INO, n('d'), 0o755, ME);
  assert.equal(dir.kind, 'dir');
  assert.equal(dir.nlink, 2);
  assert.equal((await vfs.getattr(ROOT_INO)).nlink, 3, 'a subdirectory raises the parent nlink');
  await assert.rejects(vfs.mkdir(ROOT_INO, n('d'), 0o755, ME), { errno: 'EEXIST' });
  await assert.rejects(vfs.mkdir(ROOT_INO, n('.'), 0o755, ME), { errno: 'EEXIST' });
  const file = await vfs.mknod(dir.ino, n('f'), FILE, 0, ME);
  assert.equal(file.kind, 'file');
  assert.equal(file.perm, 0o644);
  assert.equal(file.uid, ME.uid);
  await assert.rejects(vfs.mknod(dir.ino, n('f'), FILE, 0, ME), { errno: 'EEXIST' });
  await assert.rejects(vfs.lookup(file.ino, n('x')), { errno: 'ENOTDIR' });
  await assert.rejects(vfs.mkdir(file.ino, n('x'), 0o755, ME), { errno: 'ENOTDIR' });
  await assert.rejects(vfs.lookup(ROOT_INO, Buffer.alloc(256, 0x61)), { errno: 'ENAMETOOLONG' });
  await assert.rejects(vfs.mkdir(ROOT_INO, Buffer.alloc(256, 0x61), 0o755, ME), { errno: 'ENAMETOOLONG' });
  assert.equal((await vfs.mkdir(ROOT_INO, Buffer.alloc(255, 0x61), 0o755, ME)).kind, 'dir');
  assert.equal((await vfs.lookup(dir.ino, n('..'))).ino, ROOT_INO);
  assert.equal((await vfs.lookup(dir.ino, n('.'))).ino, dir.ino);
  const created = await vfs.create(dir.ino, n('c'), 0o600, 0o101 /* O_WRONLY|O_CREAT */, ME);
  await vfs.release(created.fh);
  await assert.rejects(vfs.create(dir.ino, n('c'), 0o600, 0o301 /* |O_EXCL */, ME), { errno: 'EEXIST' });
});

test('mknod makes files and fifos, refuses directories (EPERM), devices for non-root (EPERM) and unknown types (EINVAL)', async (t) => {
  const { vfs } = await openFixture(t);
  assert.equal((await vfs.mknod(ROOT_INO, n('fifo'), 0o010644, 0, ME)).kind, 'fifo');
  assert.equal((await vfs.mknod(ROOT_INO, n('plain'), 0o644, 0, ME)).kind, 'file', 'type bits 0 make a regular file');
  await assert.rejects(vfs.mknod(ROOT_INO, n('dir'), 0o040755, 0, ME), { errno: 'EPERM' });
  await assert.rejects(vfs.mknod(ROOT_INO, n('dev'), 0o020644, 0x0501, { uid: 1234, gid: 1234 }), { errno: 'EPERM' });
  await assert.rejects(vfs.mknod(ROOT_INO, n('lnk'), 0o120777, 0, ME), { errno: 'EINVAL' });
  const dev = await vfs.mknod(ROOT_INO, n('dev'), 0o020644, 0x0501, ROOT);
  assert.deepEqual([dev.kind, dev.rdev], ['chr', 0x0501]);
});

test('unlink and rmdir: EISDIR, ENOTDIR, ENOTEMPTY, EINVAL for "." and ENOENT', async (t) => {
  const { vfs } = await openFixture(t);
  const d = await vfs.mkdir(ROOT_INO, n('d'), 0o755, ME);
  await vfs.mknod(d.ino, n('f'), FILE, 0, ME);
  await assert.rejects(vfs.unlink(ROOT_INO, n('d')), { errno: 'EISDIR' });
  await assert.rejects(vfs.rmdir(d.ino, n('f')), { errno: 'ENOTDIR' });
  await assert.rejects(vfs.rmdir(ROOT_INO, n('d')), { errno: 'ENOTEMPTY' });
  await assert.rejects(vfs.rmdir(d.ino, n('.')), { errno: 'EINVAL' });
  await assert.rejects(vfs.rmdir(d.ino, n('..')), { errno: 'ENOTEMPTY' });
  await assert.rejects(vfs.unlink(d.ino, n('nope')), { errno: 'ENOENT' });
  await vfs.unlink(d.ino, n('f'));
  await assert.rejects(vfs.lookup(d.ino, n('f')), { errno: 'ENOENT' });
  await vfs.rmdir(ROOT_INO, n('d'));
  await assert.rejects(vfs.getattr(d.ino), { errno: 'ENOENT' });
  assert.equal((await vfs.getattr(ROOT_INO)).nlink, 2);
});

test('rename: replace, noreplace, exchange, directory rules and the subtree rule', async (t) => {
  const { vfs } = await openFixture(t);
  const a = await vfs.mknod(ROOT_INO, n('a'), FILE, 0, ME);
  const b = await vfs.mknod(ROOT_INO, n('b'), FILE, 0, ME);
  const d = await vfs.mkdir(ROOT_INO, n('d'), 0o755, ME);
  const sub = await vfs.mkdir(d.ino, n('sub'), 0o755, ME);
  const e = await vfs.mkdir(ROOT_INO, n('e'), 0o755, ME);
  await assert.rejects(vfs.rename(ROOT_INO, n('a'), ROOT_INO, n('b'), { noreplace: true }), { errno: 'EEXIST' });
  await assert.rejects(vfs.rename(ROOT_INO, n('a'), ROOT_INO, n('b'), { noreplace: true, exchange: true }), { errno: 'EINVAL' });
  await assert.rejects(vfs.rename(ROOT_INO, n('a'), ROOT_INO, n('zz'), { exchange: true }), { errno: 'ENOENT' });
  await assert.rejects(vfs.rename(ROOT_INO, n('a'), ROOT_INO, n('d')), { errno: 'EISDIR' });
  await assert.rejects(vfs.rename(ROOT_INO, n('e'), ROOT_INO, n('a')), { errno: 'ENOTDIR' });
  await assert.rejects(vfs.rename(ROOT_INO, n('e'), ROOT_INO, n('d')), { errno: 'ENOTEMPTY' });
  await assert.rejects(vfs.rename(ROOT_INO, n('d'), sub.ino, n('x')), { errno: 'EINVAL' });
  await assert.rejects(vfs.rename(ROOT_INO, n('.'), ROOT_INO, n('x')), { errno: 'EBUSY' });
  await assert.rejects(vfs.rename(ROOT_INO, n('missing'), ROOT_INO, n('x')), { errno: 'ENOENT' });

  await vfs.rename(ROOT_INO, n('a'), ROOT_INO, n('b'), { exchange: true });
  assert.equal((await vfs.lookup(ROOT_INO, n('a'))).ino, b.ino);
  assert.equal((await vfs.lookup(ROOT_INO, n('b'))).ino, a.ino);
  await vfs.rename(ROOT_INO, n('a'), ROOT_INO, n('b'));
  assert.equal((await vfs.lookup(ROOT_INO, n('b'))).ino, b.ino);
  await assert.rejects(vfs.getattr(a.ino), { errno: 'ENOENT' }, 'the replaced, closed file is destroyed');
  await vfs.rename(ROOT_INO, n('e'), d.ino, n('sub'));
  assert.equal((await vfs.lookup(d.ino, n('sub'))).ino, e.ino);
  assert.equal((await vfs.lookup(e.ino, n('..'))).ino, d.ino);
  await assert.rejects(vfs.getattr(sub.ino), { errno: 'ENOENT' });
  await vfs.rename(ROOT_INO, n('b'), ROOT_INO, n('b'));
  assert.equal((await vfs.lookup(ROOT_INO, n('b'))).ino, b.ino, 'rename onto itself does nothing');
  await assert.rejects(vfs.rename(ROOT_INO, n('b'), ROOT_INO, Buffer.alloc(256, 0x62)), { errno: 'ENAMETOOLONG' });
});

test('link raises nlink and refuses directories (EPERM) and taken names (EEXIST); symlink and readlink', async (t) => {
  const { vfs } = await openFixture(t);
  const f = await vfs.mknod(ROOT_INO, n('f'), FILE, 0, ME);
  const d = await vfs.mkdir(ROOT_INO, n('d'), 0o755, ME);
  const linked = await vfs.link(f.ino, d.ino, n('g'));
  assert.equal(linked.nlink, 2);
  assert.ok(linked.ctimeMs >= f.ctimeMs);
  await assert.rejects(vfs.link(d.ino, ROOT_INO, n('d2')), { errno: 'EPERM' });
  await assert.rejects(vfs.link(f.ino, ROOT_INO, n('d')), { errno: 'EEXIST' });
  await vfs.unlink(ROOT_INO, n('f'));
  assert.equal((await vfs.getattr(f.ino)).nlink, 1, 'still reachable through the other name');
  const s = await vfs.symlink(ROOT_INO, n('s'), n('d/g'), ME);
  assert.deepEqual([s.kind, s.size, s.perm], ['symlink', 3, 0o777]);
  assert.equal((await vfs.readlink(s.ino)).toString(), 'd/g');
  await assert.rejects(vfs.readlink(d.ino), { errno: 'EINVAL' });
  await assert.rejects(vfs.symlink(ROOT_INO, n('s'), n('x'), ME), { errno: 'EEXIST' });
  await assert.rejects(vfs.symlink(ROOT_INO, n('long'), Buffer.alloc(4096, 0x61), ME), { errno: 'ENAMETOOLONG' });
  await assert.rejects(vfs.open(s.ino, 0), { errno: 'ELOOP' });
});

test('setattr: chmod, chown, times and size with their permission rules, ctime following every change', async (t) => {
  const { vfs } = await openFixture(t);
  const other = { uid: ME.uid + 1, gid: ME.gid + 1 };
  const f = await vfs.mknod(ROOT_INO, n('f'), 0o100664, 0, ME);
  const chmod = await vfs.setattr(f.ino, { perm: 0o4750 }, ME);
  assert.equal(chmod.perm, 0o4750);
  assert.ok(chmod.ctimeMs >= f.ctimeMs);
  await assert.rejects(vfs.setattr(f.ino, { perm: 0o777 }, other), { errno: 'EPERM' });
  await assert.rejects(vfs.setattr(f.ino, { uid: other.uid }, ME), { errno: 'EPERM' });
  const chown = await vfs.setattr(f.ino, { uid: 4242, gid: 4343 }, ROOT);
  assert.deepEqual([chown.uid, chown.gid, chown.perm], [4242, 4343, 0o0750], 'chown clears set-user-ID');
  const times = await vfs.setattr(f.ino, { atimeMs: 5000, mtimeMs: 6000 }, ROOT);
  assert.deepEqual([times.atimeMs, times.mtimeMs], [5000, 6000]);
  assert.ok(times.ctimeMs > 6000, 'ctime is the time of the change, not the given mtime');
  await assert.rejects(vfs.setattr(f.ino, { mtimeMs: 1 }, other), { errno: 'EPERM' });
  await assert.rejects(vfs.setattr(f.ino, { mtimeMs: 'now' }, other), { errno: 'EACCES' }, 'no write permission for others');
  const before = Date.now();
  const now = await vfs.setattr(f.ino, { mtimeMs: 'now', atimeMs: 'now' }, ROOT);
  assert.ok(now.mtimeMs >= before && now.atimeMs >= before);
  const grown = await vfs.setattr(f.ino, { size: 12345 }, ROOT);
  assert.equal(grown.size, 12345);
  const d = await vfs.mkdir(ROOT_INO, n('d'), 0o755, ME);
  await assert.rejects(vfs.setattr(d.ino, { size: 0 }), { errno: 'EISDIR' });
  await assert.rejects(vfs.setattr(f.ino, { size: 2 ** 50 + 1 }), { errno: 'EFBIG' });
  await assert.rejects(vfs.setattr(f.ino, { size: -1 }), { errno: 'EINVAL' });
});

test('access: owner, group and other bits; root; W_OK on a read-only filesystem is EROFS', async (t) => {
  const fx = await openFixture(t);
  const f = await fx.vfs.mknod(ROOT_INO, n('f'), 0o100640, 0, ME);
  const x = await fx.vfs.mknod(ROOT_INO, n('x'), 0o100644, 0, ME);
  const stranger = { uid: ME.uid + 7, gid: ME.gid + 7 };
  const member = { uid: ME.uid + 8, gid: ME.gid };
  await fx.vfs.access(f.ino, 6, ME);
  await assert.rejects(fx.vfs.access(f.ino, 1, ME), { errno: 'EACCES' });
  await fx.vfs.access(f.ino, 4, member);
  await assert.rejects(fx.vfs.access(f.ino, 2, member), { errno: 'EACCES' });
  await assert.rejects(fx.vfs.access(f.ino, 4, stranger), { errno: 'EACCES' });
  await fx.vfs.access(f.ino, 0, stranger);
  await fx.vfs.access(f.ino, 6, ROOT);
  await assert.rejects(fx.vfs.access(x.ino, 1, ROOT), { errno: 'EACCES' });
  await fx.vfs.access(ROOT_INO, 1, ROOT);
  await assert.rejects(fx.vfs.access(9999, 0, ROOT), { errno: 'ENOENT' });
  await fx.reopen({ readOnly: true });
  await assert.rejects(fx.vfs.access(f.ino, 2, ROOT), { errno: 'EROFS' });
  await fx.vfs.access(f.ino, 4, ROOT);
});

test('a read-only filesystem refuses every change with EROFS and still reads', async (t) => {
  const fx = await openFixture(t);
  const c = await fx.vfs.create(ROOT_INO, n('f'), 0o644, 0o1, ME);
  await fx.vfs.write(c.fh, 0, n('hello'));
  await fx.vfs.release(c.fh);
  await fx.reopen({ readOnly: true });
  const { vfs } = fx;
  const f = await vfs.lookup(ROOT_INO, n('f'));
  const ops: [string, () => Promise<unknown>][] = [
    ['mkdir', () => vfs.mkdir(ROOT_INO, n('d'), 0o755, ME)],
    ['mknod', () => vfs.mknod(ROOT_INO, n('g'), FILE, 0, ME)],
    ['create', () => vfs.create(ROOT_INO, n('g'), 0o644, 0o101, ME)],
    ['open for writing', () => vfs.open(f.ino, 0o2)],
    ['open with O_TRUNC', () => vfs.open(f.ino, 0o1000)],
    ['unlink', () => vfs.unlink(ROOT_INO, n('f'))],
    ['rename', () => vfs.rename(ROOT_INO, n('f'), ROOT_INO, n('g'))],
    ['link', () => vfs.link(f.ino, ROOT_INO, n('g'))],
    ['symlink', () => vfs.symlink(ROOT_INO, n('s'), n('f'), ME)],
    ['setattr', () => vfs.setattr(f.ino, { perm: 0o600 })],
    ['setxattr', () => vfs.setxattr(f.ino, 'user.a', n('1'))],
    ['removexattr', () => vfs.removexattr(f.ino, 'user.a')],
  ];
  for (const [name, op] of ops) await assert.rejects(op(), { errno: 'EROFS' }, name);
  const fh = await vfs.open(f.ino, 0);
  assert.equal((await vfs.read(fh, 0, 100)).toString(), 'hello');
  await vfs.release(fh);
});

test('statfs reports large totals, the space in use and namemax 255', async (t) => {
  const { vfs } = await openFixture(t);
  const s = await vfs.statfs();
  assert.equal(s.namemax, 255);
  assert.ok(s.blocks * s.frsize >= 2 ** 50, 'at least a PiB');
  assert.ok(s.files >= 2 ** 32);
  assert.ok(s.bfree <= s.blocks && s.ffree < s.files);
  const c = await vfs.create(ROOT_INO, n('f'), 0o644, 0o1, ME);
  await vfs.write(c.fh, 0, Buffer.alloc(100_000, 1));
  await vfs.release(c.fh);
  const after = await vfs.statfs();
  assert.ok(after.bfree < s.bfree, 'data in use lowers the free blocks');
  assert.equal(after.ffree, s.ffree - 1);
});

test('a create in a set-group-ID directory takes the directory group; subdirectories inherit the bit', async (t) => {
  const { vfs } = await openFixture(t);
  const d = await vfs.mkdir(ROOT_INO, n('shared'), 0o2775, ME);
  await vfs.setattr(d.ino, { gid: 4321 }, ROOT);
  await vfs.setattr(d.ino, { perm: 0o2777 }, ROOT);
  const f = await vfs.mknod(d.ino, n('f'), FILE, 0, ME);
  assert.equal(f.gid, 4321);
  const sub = await vfs.mkdir(d.ino, n('sub'), 0o755, ME);
  assert.equal(sub.gid, 4321);
  assert.equal(sub.perm & 0o2000, 0o2000);
  const locked = await vfs.mkdir(ROOT_INO, n('locked'), 0o555, ME);
  await assert.rejects(vfs.mknod(locked.ino, n('f'), FILE, 0, ME), { errno: 'EACCES' });
});

test('create opens an existing file in a directory the caller may not write, and makes nothing new there', async (t) => {
  const { vfs } = await openFixture(t);
  const dir = await vfs.mkdir(ROOT_INO, n('ro'), 0o755, ME);
  const existing = await vfs.mknod(dir.ino, n('f'), 0o100666, 0, ME);
  const other = { uid: ME.uid + 7, gid: ME.gid + 7 };
  const opened = await vfs.create(dir.ino, n('f'), 0o644, 0o102 /* O_RDWR|O_CREAT */, other);
  assert.equal(opened.attr.ino, existing.ino);
  await vfs.release(opened.fh);
  await assert.rejects(vfs.create(dir.ino, n('f'), 0o644, 0o302 /* |O_EXCL */, other), { errno: 'EEXIST' });
  await assert.rejects(vfs.create(dir.ino, n('new'), 0o644, 0o102, other), { errno: 'EACCES' });
  await assert.rejects(vfs.lookup(dir.ino, n('new')), { errno: 'ENOENT' });
  await assert.rejects(vfs.create(existing.ino, n('x'), 0o644, 0o102, ME), { errno: 'ENOTDIR' });
  await assert.rejects(vfs.create(dir.ino, Buffer.alloc(256, 0x61), 0o644, 0o102, ME), { errno: 'ENAMETOOLONG' });
  await assert.rejects(vfs.create(dir.ino, n('.'), 0o644, 0o102, ME), { errno: 'EISDIR' });
});
