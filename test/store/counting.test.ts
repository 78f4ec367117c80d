import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemStore } from '../../src/store/mem.js';
import { withCounting } from '../../src/store/counting.js';
import { withPrefix } from '../../src/store/prefix.js';
import { ObjectNotFound } from '../../src/errors.js';

test('counts requests, errors, keys and bytes per operation', async () => {
  const store = withCounting(new MemStore());
  await store.put('a', Buffer.alloc(100));
  await store.put('b', Buffer.alloc(50));
  await store.get('a');
  await store.getRange('b', 10, 20);
  await assert.rejects(store.get('zzz'), ObjectNotFound);
  await store.listPage('');
  await store.deleteMany(['a', 'b', 'c']);
  assert.deepEqual(store.counts.put, { requests: 2, errors: 0, bytesUp: 150, bytesDown: 0, keys: 2 });
  assert.deepEqual(store.counts.get, { requests: 2, errors: 1, bytesUp: 0, bytesDown: 100, keys: 2 });
  assert.equal(store.counts.getRange.bytesDown, 20);
  assert.equal(store.counts.listPage.keys, 2);
  assert.equal(store.counts.deleteMany.keys, 3);
  assert.equal(store.total('requests'), 7);
  const before = store.snapshot();
  store.resetCounts();
  assert.equal(store.total('requests'), 0);
  assert.equal(before.put.requests, 2);
});

test('withPrefix keeps its keys apart and lists them without the prefix', async () => {
  const mem = new MemStore();
  const one = withPrefix(mem, 'one/');
  const two = withPrefix(mem, 'two/');
  await one.put('k', Buffer.from('1'));
  await two.put('k', Buffer.from('2'));
  assert.equal((await one.get('k')).toString(), '1');
  assert.deepEqual((await two.listPage('')).items.map((i) => i.key), ['k']);
  assert.deepEqual((await mem.listPage('')).items.map((i) => i.key), ['one/k', 'two/k']);
  assert.equal((await one.head('k'))?.key, 'k');
  await assert.rejects(one.get('nope'), (err: unknown) => err instanceof ObjectNotFound && err.key === 'nope');
});
