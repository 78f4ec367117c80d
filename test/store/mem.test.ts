import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemStore } from '../../src/store/mem.js';
import { ObjectNotFound } from '../../src/errors.js';
import { storeConformance } from './conformance.js';

storeConformance('mem', async () => new MemStore(), { readsIntoAlloc: false });

test('mem store copies bodies in and out, so callers cannot alias them', async () => {
  const store = new MemStore();
  const body = Buffer.from('hello');
  await store.put('a', body);
  body.fill(0);
  const got = await store.get('a');
  got.fill(1);
  assert.equal((await store.get('a')).toString(), 'hello');
  await assert.rejects(store.get('b'), ObjectNotFound);
});
