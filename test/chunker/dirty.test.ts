import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capacityFor, DirtyChunk } from '../../src/chunker/dirty.js';
import { openFileData } from '../../src/chunker/file-data.js';
import { MemStore } from '../../src/store/mem.js';
import { withCounting } from '../../src/store/counting.js';
import { MemChunkMap } from '../helpers/chunkmap.js';
import { bytes, openDataPath } from '../helpers/data-path.js';
import { StoreSpy } from '../helpers/store-spy.js';
import { tempDir } from '../helpers/tmp.js';

const CS = 64 * 1024;
const MiB = 1024 * 1024;

test('a frozen chunk is copied on write, so the upload keeps its version', () => {
  const chunk = new DirtyChunk(Buffer.alloc(capacityFor(10, CS)), 0);
  chunk.write(0, Buffer.from('first'), CS);
  const v1 = chunk.version;
  const sent = chunk.freeze();
  assert.equal(chunk.growthCost(5, CS), capacityFor(5, CS), 'a frozen buffer needs a whole copy');
  assert.equal(chunk.write(0, Buffer.from('SECOND'), CS), 0, 'the frozen buffer is not released: the upload owns it');
  assert.equal(sent.toString(), 'first');
  assert.equal(chunk.buf.subarray(0, chunk.len).toString(), 'SECOND');
  assert.ok(chunk.version > v1);
  assert.equal(chunk.frozen, false);
});

test('buffers grow on demand; gaps left by a write past the end, or by a trim, are zeros', () => {
  const chunk = new DirtyChunk(Buffer.alloc(capacityFor(1, 4 * MiB)), 0);
  assert.equal(chunk.buf.length, 64 * 1024);
  assert.equal(chunk.growthCost(3 * MiB, 4 * MiB), 4 * MiB);
  assert.equal(chunk.write(3 * MiB - 1, Buffer.from('x'), 4 * MiB), 64 * 1024);
  assert.equal(chunk.len, 3 * MiB);
  assert.ok(chunk.buf.subarray(0, 3 * MiB - 1).every((b) => b === 0));
  chunk.trim(10, 4 * MiB);
  assert.equal(chunk.len, 10);
  chunk.write(20, Buffer.from('y'), 4 * MiB);
  assert.ok(chunk.buf.subarray(10, 20).every((b) => b === 0), 'the trimmed tail does not come back');
  assert.equal(chunk.len, 21);
});

test('a partial write into a stored chunk loads it first (read-modify-write)', async () => {
  const dp = await openDataPath({ chunkSize: CS });
  const data = bytes(CS + 100);
  await dp.fd.write(1, 0, data);
  await dp.fd.close();

  const store = new StoreSpy(dp.mem);
  const fd = await openFileData(store, dp.map, { chunkSize: CS, cacheDir: tempDir(), readahead: 0 });
  await fd.write(1, 1000, Buffer.from('patch'));
  await fd.write(1, CS + 95, Buffer.from('tail patch!!')); // crosses the old end of the last chunk
  assert.equal(store.calls.get, 2);
  const expected = Buffer.from(data);
  expected.write('patch', 1000);
  const grown = Buffer.concat([expected.subarray(0, CS + 95), Buffer.from('tail patch!!')]);
  assert.deepEqual(await fd.read(1, grown.length, 0, grown.length), grown);
  await fd.flush(1);
  assert.equal(store.calls.put, 2);
  assert.equal(dp.map.getChunk(1, 1)!.len, 107, 'the last chunk holds only its real length');
  assert.equal(dp.map.size(1), grown.length);
  await fd.close();

  const cold = new StoreSpy(dp.mem);
  const fd3 = await openFileData(cold, dp.map, { chunkSize: CS, cacheDir: tempDir(), readahead: 0 });
  assert.deepEqual(await fd3.read(1, grown.length, 0, grown.length), grown);
  await fd3.close();
});

test('a write into a hole starts from zeros, and a whole-chunk overwrite loads nothing', async () => {
  const dp = await openDataPath({ chunkSize: CS });
  await dp.fd.write(1, 0, bytes(CS));
  await dp.fd.flush(1);
  const store = new StoreSpy(dp.mem);
  const fd = await openFileData(store, dp.map, { chunkSize: CS, cacheDir: tempDir(), readahead: 0 });
  const whole = bytes(CS);
  await fd.write(1, 0, whole);
  await fd.write(1, 3 * CS + 10, Buffer.from('x'));
  assert.equal(store.calls.get, 0);
  const out = await fd.read(1, 3 * CS + 11, 0, 3 * CS + 11);
  assert.deepEqual(out.subarray(0, CS), whole);
  assert.ok(out.subarray(CS, 3 * CS + 10).every((b) => b === 0));
  assert.equal(out[3 * CS + 10], 'x'.charCodeAt(0));
  await fd.close();
  await dp.fd.close();
});

test('holes and all-zero chunks cost no object', async () => {
  const { fd, store, map } = await openDataPath({ chunkSize: CS });
  await fd.write(1, 0, Buffer.alloc(3 * CS + 5));
  await fd.write(1, 100 * CS, Buffer.alloc(10));
  await fd.flush(1);
  assert.equal(store.calls.put, 0);
  assert.deepEqual(map.getChunks(1, 0, 1000), []);
  assert.equal(map.size(1), 100 * CS + 10);

  // Zeroing a chunk that has an object turns it into a hole and retires the object.
  await fd.write(2, 0, bytes(CS));
  await fd.flush(2);
  const old = map.getChunk(2, 0)!.objectId;
  await fd.write(2, 0, Buffer.alloc(CS));
  await fd.flush(2);
  assert.equal(map.getChunk(2, 0), null);
  assert.ok(map.retired.includes(old));
  assert.equal(store.calls.put, 1);
  assert.ok((await fd.read(2, CS, 0, CS)).every((b) => b === 0));
  await fd.close();
});

test('one byte written into the middle of a 64 MiB file uploads exactly one chunk', async () => {
  const chunkSize = 4 * MiB;
  const mem = new MemStore();
  const map = new MemChunkMap();
  const data = bytes(64 * MiB);
  const first = await openFileData(mem, map, { chunkSize, cacheDir: tempDir(), readahead: 0 });
  await first.write(1, 0, data);
  await first.close();
  assert.equal(map.getChunks(1, 0, 100).length, 16);

  const counted = withCounting(mem);
  const fd = await openFileData(counted, map, { chunkSize, cacheDir: tempDir(), readahead: 0 });
  const mid = 32 * MiB + 12345;
  await fd.write(1, mid, Buffer.from([data[mid]! ^ 0xff]));
  await fd.flush(1);
  assert.equal(counted.counts.put.requests, 1);
  assert.ok(counted.counts.put.bytesUp <= chunkSize);
  assert.equal(counted.counts.get.requests, 1, 'the one chunk was read for read-modify-write');
  const around = await fd.read(1, data.length, mid - 1, 3);
  assert.deepEqual([...around], [data[mid - 1], data[mid]! ^ 0xff, data[mid + 1]]);
  await fd.close();
});
