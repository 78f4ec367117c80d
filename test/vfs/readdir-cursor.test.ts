import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReaddirCursors } from '../../src/vfs/readdir-cursor.js';

test('cursors remember the name for an offset and forget the oldest past their bounds', () => {
  const c = new ReaddirCursors(2, 3);
  c.set(1, 5, Buffer.from('e'));
  assert.deepEqual(c.get(1, 5), Buffer.from('e'));
  assert.equal(c.get(1, 6), undefined);
  for (const [off, n] of [[6, 'f'], [7, 'g'], [8, 'h']] as const) c.set(1, off, Buffer.from(n));
  assert.equal(c.get(1, 5), undefined, 'oldest offset of the directory dropped');
  assert.deepEqual(c.get(1, 8), Buffer.from('h'));
  c.set(2, 3, Buffer.from('x'));
  c.get(1, 8); // directory 1 is now the most recently used
  c.set(3, 3, Buffer.from('y'));
  assert.equal(c.get(2, 3), undefined, 'least recently used directory dropped');
  assert.deepEqual(c.get(1, 8), Buffer.from('h'));
  c.forget(1);
  assert.equal(c.get(1, 8), undefined);
});
