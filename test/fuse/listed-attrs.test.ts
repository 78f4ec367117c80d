import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ListedAttrs } from '../../src/fuse/listed-attrs.js';
import type { Attr } from '../../src/vfs/types.js';

const attr = (ino: number): Attr => ({ ino, kind: 'file', perm: 0o644, uid: 0, gid: 0, nlink: 1, size: ino, atimeMs: 0, mtimeMs: 0, ctimeMs: 0, rdev: 0 });

test('a listed entry answers one lookup, by its full path, and . and .. are never kept', () => {
  const l = new ListedAttrs(1000, () => 0);
  l.fill('/d', [{ name: '.', attr: attr(1) }, { name: '..', attr: attr(2) }, { name: 'a', attr: attr(3) }]);
  assert.equal(l.take('/d/.'), undefined);
  assert.equal(l.take('/d/..'), undefined);
  assert.equal(l.take('/a'), undefined);
  assert.equal(l.take('/d/a')?.ino, 3);
  assert.equal(l.take('/d/a'), undefined, 'used once');
  l.fill('/', [{ name: 'top', attr: attr(4) }]);
  assert.equal(l.take('/top')?.ino, 4);
});

test('a listing is forgotten after its age, on clear, at the next listing, and never kept at age 0', () => {
  let now = 0;
  const l = new ListedAttrs(1000, () => now);
  l.fill('/d', [{ name: 'a', attr: attr(3) }, { name: 'b', attr: attr(4) }, { name: 'c', attr: attr(5) }]);
  now = 1001;
  assert.equal(l.take('/d/a'), undefined, 'too old');
  now = 0;
  l.fill('/d', [{ name: 'b', attr: attr(4) }]);
  l.clear();
  assert.equal(l.take('/d/b'), undefined, 'cleared');
  l.fill('/d', [{ name: 'c', attr: attr(5) }]);
  l.fill('/e', [{ name: 'x', attr: attr(6) }]);
  assert.equal(l.take('/d/c'), undefined, 'replaced by the next listing');
  const off = new ListedAttrs(0, () => 0);
  off.fill('/d', [{ name: 'a', attr: attr(3) }]);
  assert.equal(off.take('/d/a'), undefined);
});

test("a listing stays usable while its lookups keep coming, and goes after a pause of its age", () => {
  let now = 0;
  const l = new ListedAttrs(1000, () => now);
  l.fill('/d', [{ name: 'a', attr: attr(3) }, { name: 'b', attr: attr(4) }, { name: 'c', attr: attr(5) }, { name: 'd', attr: attr(6) }]);
  now = 900;
  assert.equal(l.take('/d/a')?.ino, 3);
  now = 1800;
  assert.equal(l.take('/d/b')?.ino, 4, 'within the age of the last answer, though not of the listing');
  now = 2700;
  assert.equal(l.take('/d/x'), undefined, 'a name not listed');
  now = 2850;
  assert.equal(l.take('/d/c'), undefined, 'a miss does not keep it: the pause since the last answer is too long');
  now = 2850;
  assert.equal(l.take('/d/d'), undefined, 'the listing is gone');
});
