import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Attr } from '../../src/metadata/types.js';
import { toFuseStat, toFuseStatfs } from '../../src/fuse/attr.js';
import { parseMountinfo } from '../../src/fuse/mountinfo.js';

const attr = (kind: Attr['kind'], perm: number): Attr => ({ ino: 7, kind, perm, uid: 5, gid: 6, nlink: 1, size: 1000, atimeMs: 1, mtimeMs: 2, ctimeMs: 3, rdev: 0 });

test('stat carries type bits, times in ms and the presentation overrides', () => {
  const s = toFuseStat(attr('file', 0o666), {});
  assert.equal(s.mode, 0o100666);
  assert.deepEqual([s.uid, s.gid, s.ino, s.atime, s.mtime, s.ctime, s.blocks], [5, 6, 7, 1, 2, 3, 2]);
  const p = { uid: 1000, gid: 1000, umask: 0o022, fmask: 0o111, dmask: 0o700 };
  assert.equal(toFuseStat(attr('file', 0o777), p).mode, 0o100644);
  assert.equal(toFuseStat(attr('dir', 0o777), p).mode, 0o040055);
  assert.equal(toFuseStat(attr('file', 0o777), p).uid, 1000);
});

test('statfs beyond 32 bits scales the fragment size and keeps inodes in use exact', () => {
  const s = toFuseStatfs({ bsize: 4096, frsize: 4096, blocks: 2 ** 40, bfree: 2 ** 40 - 2 ** 20, bavail: 2 ** 40 - 2 ** 20, files: 2 ** 40, ffree: 2 ** 40 - 42, favail: 2 ** 40 - 42, namemax: 255 });
  assert.ok(s.blocks! <= 0xffffffff);
  assert.equal((s.blocks! - s.bfree!) * s.frsize!, 2 ** 20 * 4096, 'used bytes survive the scaling');
  assert.equal(s.files! - s.ffree!, 42);
});

test('mountinfo lines are parsed, with octal escapes undone', () => {
  const text = '42 27 0:39 / /tmp/a\\040b rw,nosuid,nodev,relatime - fuse.chunkfs s3://bucket rw,user_id=0,group_id=0\n';
  assert.deepEqual(parseMountinfo(text), [{ mountpoint: '/tmp/a b', options: 'rw,nosuid,nodev,relatime', fstype: 'fuse.chunkfs', source: 's3://bucket' }]);
});
