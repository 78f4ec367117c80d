import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_INO } from '../../src/metadata/types.js';
import { ME, openFixture } from '../helpers/fs-fixture.js';

const n = (s: string) => Buffer.from(s);

test('xattrs: set, get, list, remove; create and replace flags; ENODATA for missing names', async (t) => {
  const { vfs } = await openFixture(t);
  const f = await vfs.mknod(ROOT_INO, n('f'), 0o100644, 0, ME);
  await assert.rejects(vfs.getxattr(f.ino, 'user.a'), { errno: 'ENODATA' });
  await vfs.setxattr(f.ino, 'user.a', n('1'));
  await vfs.setxattr(f.ino, 'user.b', Buffer.alloc(0));
  assert.equal((await vfs.getxattr(f.ino, 'user.a')).toString(), '1');
  assert.equal((await vfs.getxattr(f.ino, 'user.b')).length, 0, 'an empty value is a value');
  assert.deepEqual((await vfs.listxattr(f.ino)).sort(), ['user.a', 'user.b']);
  await assert.rejects(vfs.setxattr(f.ino, 'user.a', n('2'), 'create'), { errno: 'EEXIST' });
  await assert.rejects(vfs.setxattr(f.ino, 'user.c', n('2'), 'replace'), { errno: 'ENODATA' });
  await vfs.setxattr(f.ino, 'user.a', n('2'), 'replace');
  await vfs.setxattr(f.ino, 'user.c', n('3'), 'create');
  assert.equal((await vfs.getxattr(f.ino, 'user.a')).toString(), '2');
  const before = (await vfs.getattr(f.ino)).ctimeMs;
  await vfs.removexattr(f.ino, 'user.a');
  assert.ok((await vfs.getattr(f.ino)).ctimeMs >= before);
  await assert.rejects(vfs.removexattr(f.ino, 'user.a'), { errno: 'ENODATA' });
  assert.deepEqual((await vfs.listxattr(f.ino)).sort(), ['user.b', 'user.c']);
});

test('xattr limits: names over 255 bytes ERANGE, values over 64 KiB E2BIG, unknown namespaces EOPNOTSUPP, user.* on symlinks EPERM', async (t) => {
  const { vfs } = await openFixture(t);
  const f = await vfs.mknod(ROOT_INO, n('f'), 0o100644, 0, ME);
  await assert.rejects(vfs.setxattr(f.ino, 'user.' + 'x'.repeat(251), n('v')), { errno: 'ERANGE' });
  await vfs.setxattr(f.ino, 'user.' + 'x'.repeat(250), n('v'));
  await assert.rejects(vfs.setxattr(f.ino, '', n('v')), { errno: 'ERANGE' });
  await assert.rejects(vfs.setxattr(f.ino, 'user.big', Buffer.alloc(65537)), { errno: 'E2BIG' });
  await vfs.setxattr(f.ino, 'user.big', Buffer.alloc(65536));
  await assert.rejects(vfs.setxattr(f.ino, 'bogus.a', n('v')), { errno: 'EOPNOTSUPP' });
  await assert.rejects(vfs.getxattr(f.ino, 'system.posix_acl_access'), { errno: 'EOPNOTSUPP' });
  await vfs.setxattr(f.ino, 'trusted.t', n('v'));
  await vfs.setxattr(f.ino, 'security.s', n('v'));
  const s = await vfs.symlink(ROOT_INO, n('s'), n('f'), ME);
  await assert.rejects(vfs.setxattr(s.ino, 'user.a', n('v')), { errno: 'EPERM' });
  await vfs.setxattr(s.ino, 'trusted.a', n('v'));
  await assert.rejects(vfs.getxattr(9999, 'user.a'), { errno: 'ENOENT' });
});

test('xattrs survive close and reopen', async (t) => {
  const fx = await openFixture(t);
  const d = await fx.vfs.mkdir(ROOT_INO, n('d'), 0o755, ME);
  await fx.vfs.setxattr(d.ino, 'user.kept', Buffer.from([0, 1, 2, 255]));
  await fx.reopen();
  assert.deepEqual([...(await fx.vfs.getxattr(d.ino, 'user.kept'))], [0, 1, 2, 255]);
});
