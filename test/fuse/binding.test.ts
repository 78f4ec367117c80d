import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFuse } from '../../src/fuse/binding.js';
import { HandleTable } from '../../src/fuse/handles.js';
import { MountError } from '../../src/fuse/mount-errors.js';

test('FUSE not available: a missing /dev/fuse names the module and the package', () => {
  assert.throws(
    () => loadFuse({ device: '/nonexistent/fuse' }),
    (e: unknown) => e instanceof MountError && /FUSE is not available: \/nonexistent\/fuse is missing .*modprobe fuse.*fuse3/.test(e.message),
  );
});

test('FUSE not available: a missing libfuse.so.2 names the libfuse2 package', () => {
  const load = () => {
    throw new Error('libfuse.so.2: cannot open shared object file: No such file or directory');
  };
  assert.throws(
    () => loadFuse({ device: '/dev/null', load: load as never }),
    (e: unknown) => e instanceof MountError && /libfuse\.so\.2 is missing \(install the libfuse2 package/.test(e.message),
  );
});

test('FUSE handles start at 1, map to the vfs handle and inode, and EBADF when unknown', () => {
  const t = new HandleTable();
  const a = t.add(0, 10);
  const b = t.add(0, 11);
  assert.equal(a, 1);
  assert.notEqual(a, b);
  assert.deepEqual(t.get(b), { fh: 0, ino: 11 });
  t.delete(a);
  assert.throws(() => t.get(a), /EBADF|no open handle/);
});
