import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkBufferPool } from '../../src/chunker/buffer-pool.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('a chunk-sized buffer given back is reused from the next turn of the event loop, not before', async () => {
  const pool = new ChunkBufferPool(4096, 4);
  const a = pool.take(4096);
  assert.equal(a.length, 4096);
  a.fill(7);
  pool.give(a);
  const b = pool.take(4096);
  assert.notEqual(b.buffer, a.buffer, 'not handed out again in the turn it was given back');
  assert.equal(a[0], 7, 'a view taken before the give still reads the old bytes');
  await nextTurn();
  assert.equal(pool.take(4096).buffer, a.buffer);
  pool.clear();
});

test('only buffers of the chunk size that the pool lent come back, each once', async () => {
  const pool = new ChunkBufferPool(4096, 4);
  const small = pool.take(100);
  assert.equal(small.length, 100);
  pool.give(small);
  pool.give(Buffer.allocUnsafe(4096));
  await nextTurn();
  assert.equal(pool.freeCount, 0, 'other sizes and foreign buffers are left to the GC');

  const a = pool.take(4096);
  pool.give(a);
  pool.give(a.subarray(0, 10));
  await nextTurn();
  assert.equal(pool.freeCount, 1, 'a second give of the same loan (here through a view) is ignored');
  const first = pool.take(4096);
  const second = pool.take(4096);
  assert.equal(first.buffer, a.buffer);
  assert.notEqual(second.buffer, a.buffer, 'never lent to two takers at once');
  pool.clear();
});

test('the pool keeps at most max free buffers, and none with max 0', async () => {
  const pool = new ChunkBufferPool(1024, 2);
  const lent = [pool.take(1024), pool.take(1024), pool.take(1024)];
  for (const b of lent) pool.give(b);
  await nextTurn();
  assert.equal(pool.freeCount, 2);
  pool.clear();
  assert.equal(pool.freeCount, 0);

  const none = new ChunkBufferPool(1024, 0);
  none.give(none.take(1024));
  await nextTurn();
  assert.equal(none.freeCount, 0);
});

test('free buffers are let go of once none was taken for two seconds', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const pool = new ChunkBufferPool(1024, 4);
  const a = pool.take(1024);
  pool.give(a);
  await nextTurn();
  assert.equal(pool.freeCount, 1);
  t.mock.timers.tick(1500);
  assert.equal(pool.take(1024).buffer, a.buffer, 'taken again before the idle time');
  pool.give(a);
  await nextTurn();
  t.mock.timers.tick(1500);
  assert.equal(pool.freeCount, 1, 'still held: the last take was 1.5 s ago');
  t.mock.timers.tick(600);
  assert.equal(pool.freeCount, 0);
});
