import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemStore } from '../../src/store/mem.js';
import { ObjectNotFound } from '../../src/errors.js';

test('mem store round-trips an object and reports a missing key as ObjectNotFound', async () => {
  const store = new MemStore();
  await store.put('a', Buffer.from('hello'));
  assert.equal((await store.get('a')).toString(), 'hello');
  await assert.rejects(store.get('b'), ObjectNotFound);
});
