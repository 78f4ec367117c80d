import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attr } from '../../src/metadata/types.js';
import { HandleTable } from '../../src/vfs/handles.js';

const attr: Attr = { ino: 7, kind: 'file', perm: 0o644, uid: 1, gid: 1, nlink: 1, size: 10, atimeMs: 1, mtimeMs: 2, ctimeMs: 3, rdev: 0 };
const rw = { readable: true, writable: true, append: false };

test('handles share one open state per inode, which ends with the last close', () => {
  const t = new HandleTable();
  const a = t.open(attr, 2, rw);
  const b = t.open(attr, 0, { ...rw, writable: false });
  assert.notEqual(a.fh, b.fh);
  assert.equal(t.stateOf(a), t.stateOf(b));
  assert.equal(t.inode(7)!.handles, 2);
  assert.equal(t.close(a.fh), undefined);
  assert.throws(() => t.get(a.fh), { errno: 'EBADF' });
  const last = t.close(b.fh);
  assert.equal(last?.ino, 7);
  assert.equal(t.inode(7), undefined);
});

test('overlay reports the open size always, and the open times only while they are uncommitted', () => {
  const t = new HandleTable();
  const h = t.open(attr, 2, rw);
  const state = t.stateOf(h);
  state.size = 99;
  state.mtimeMs = 50;
  assert.deepEqual([t.overlay(attr).size, t.overlay(attr).mtimeMs], [99, 2]);
  state.dirty = true;
  assert.deepEqual([t.overlay(attr).size, t.overlay(attr).mtimeMs], [99, 50]);
  assert.equal(t.overlay({ ...attr, ino: 8 }).size, 10, 'closed inodes pass through');
});
