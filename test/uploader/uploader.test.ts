import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initChecksum, xxh64Hex } from '../../src/chunker/checksum.js';
import { MemStore } from '../../src/store/mem.js';
import { Uploader } from '../../src/uploader/uploader.js';
import { MemChunkMap } from '../helpers/chunkmap.js';
import { bytes } from '../helpers/data-path.js';
import { StoreSpy } from '../helpers/store-spy.js';

const CS = 64 * 1024;

async function setup(concurrency = 4) {
  await initChecksum();
  const mem = new MemStore();
  const store = new StoreSpy(mem);
  const map = new MemChunkMap();
  return { mem, store, map, uploader: new Uploader(store, map, { chunkSize: CS, concurrency }) };
}

test('a chunk is PUT under a fresh id, then committed with its length, xxh64 and size', async () => {
  const { mem, store, map, uploader } = await setup();
  const data = bytes(1000);
  const ref = await uploader.upload(5, 2, data);
  assert.ok(ref.objectId !== null);
  assert.match(ref.objectId, /^[0-9a-f]{16}$/);
  assert.deepEqual(store.putKeys, [`chunks/${ref.objectId.slice(0, 2)}/${ref.objectId}`]);
  assert.deepEqual(map.getChunk(5, 2), { idx: 2, objectId: ref.objectId, len: 1000, xxh64: xxh64Hex(data) });
  assert.equal(map.size(5), 2 * CS + 1000);
  assert.deepEqual(await mem.get(store.putKeys[0]!), data);
  assert.deepEqual(uploader.stats(), { objects: 1, bytes: 1000 });

  // A new version gets a new object; the old one is retired by the metadata.
  const again = await uploader.upload(5, 2, data);
  assert.notEqual(again.objectId, ref.objectId);
  assert.deepEqual(map.retired, [ref.objectId]);
});

test('an all-zero chunk is committed as a hole without a PUT', async () => {
  const { store, map, uploader } = await setup();
  const ref = await uploader.upload(1, 0, bytes(CS));
  const hole = await uploader.upload(1, 0, Buffer.alloc(CS));
  assert.deepEqual(hole, { idx: 0, objectId: null });
  assert.equal(store.calls.put, 1);
  assert.equal(map.getChunk(1, 0), null);
  assert.deepEqual(map.retired, [ref.objectId]);
});

test('a failed PUT commits nothing', async () => {
  const { store, map, uploader } = await setup();
  store.failPuts = true;
  await assert.rejects(uploader.upload(1, 0, bytes(10)));
  assert.equal(map.commits, 0);
  assert.deepEqual(uploader.stats(), { objects: 0, bytes: 0 });
});

test('uploads run at most `concurrency` at a time', async () => {
  const { store, uploader } = await setup(3);
  store.holdPuts();
  const all = Array.from({ length: 10 }, (_, i) => uploader.upload(1, i, bytes(100)));
  await store.heldAtLeast(3);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(store.held, 3);
  assert.equal(uploader.pending, 10);
  store.releasePuts();
  await Promise.all(all);
  assert.equal(store.calls.put, 10);
});
