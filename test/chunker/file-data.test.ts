import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openFileData } from '../../src/chunker/file-data.js';
import { bytes, openDataPath } from '../helpers/data-path.js';
import { StoreWrapper, type StoreCall } from '../../src/store/wrapper.js';
import type { Alloc } from '../../src/store/types.js';
import { StoreSpy } from '../helpers/store-spy.js';
import { MemStore } from '../../src/store/mem.js';
import { MemChunkMap } from '../helpers/chunkmap.js';
import { tempDir } from '../helpers/tmp.js';

const CS = 64 * 1024;

test('written bytes read back before and after flush, and from the store after reopening', async () => {
  const { fd, store, mem, map } = await openDataPath({ chunkSize: CS });
  const data = bytes(3 * CS + 123);
  await fd.write(7, 0, data);
  assert.equal(fd.dirtyBytes(), data.length);
  assert.deepEqual(await fd.read(7, data.length, 0, data.length), data);
  await fd.flush(7);
  assert.equal(fd.dirtyBytes(), 0);
  assert.equal(store.calls.put, 4);
  assert.equal(map.size(7), data.length);
  assert.deepEqual(fd.uploadStats(), { objects: 4, bytes: data.length });
  assert.deepEqual(await fd.read(7, data.length, CS - 10, 20), data.subarray(CS - 10, CS + 10));
  await fd.close();

  const cold = new StoreSpy(mem);
  const fd2 = await openFileData(cold, map, { chunkSize: CS, cacheDir: tempDir(), readahead: 0 });
  assert.deepEqual(await fd2.read(7, data.length, 0, data.length + 100), data);
  assert.equal(cold.calls.get, 4);
  await fd2.close();
});

test('reads stop at the file size and past-the-end reads are empty', async () => {
  const { fd } = await openDataPath({ chunkSize: CS });
  await fd.write(1, 0, Buffer.from('hello world'));
  assert.equal((await fd.read(1, 5, 0, 100)).toString(), 'hello');
  assert.equal((await fd.read(1, 11, 11, 10)).length, 0);
  assert.equal((await fd.read(1, 11, 50, 10)).length, 0);
  await fd.close();
});

test('the clean cache serves re-reads without another GET; on disk it keeps the partial chunks a writer uploaded, and the whole ones only with cacheLargeWrites', async () => {
  for (const cacheLargeWrites of [false, true]) {
    const { fd, store, mem, map, cacheDir } = await openDataPath({ chunkSize: CS, cacheLargeWrites });
    const data = bytes(2 * CS + 100); // two whole chunks and a partial one
    await fd.write(3, 0, data);
    await fd.flush(3);
    await fd.read(3, data.length, 0, data.length);
    assert.equal(store.calls.get, 0, 'an uploaded chunk is cached in memory under its new id');
    await fd.close();

    const again = new StoreSpy(mem);
    const fd2 = await openFileData(again, map, { chunkSize: CS, cacheDir, readahead: 0 });
    assert.deepEqual(await fd2.read(3, data.length, 0, data.length), data);
    assert.equal(again.calls.get, cacheLargeWrites ? 0 : 2, `after a restart, with cacheLargeWrites ${cacheLargeWrites}`);
    assert.deepEqual(await fd2.read(3, data.length, 0, data.length), data);
    assert.equal(again.calls.get, cacheLargeWrites ? 0 : 2, 'what was read is cached');
    await fd2.close();
  }
});

test('bytes past a chunk\'s data read as zeros, dirty or stored', async () => {
  const { fd } = await openDataPath({ chunkSize: CS });
  await fd.write(1, 0, Buffer.from('short'));
  await fd.write(1, CS + 1, Buffer.from('next'));
  const size = CS + 5;
  const check = async () => {
    assert.ok((await fd.read(1, size, 100, 200)).every((b) => b === 0));
    assert.ok((await fd.read(1, size, CS - 1000, 1001)).every((b) => b === 0));
    assert.equal((await fd.read(1, size, 3, 4)).toString('latin1'), 'rt\0\0');
  };
  await check();
  await fd.flush(1);
  await check();
  await fd.close();
});

test('drop forgets dirty chunks of a destroyed inode', async () => {
  const { fd, store } = await openDataPath({ chunkSize: CS });
  // Partly written chunks (full ones would start uploading at once).
  await fd.write(9, 1, bytes(CS));
  await fd.drop(9);
  assert.equal(fd.dirtyBytes(), 0);
  await fd.flushAll();
  assert.equal(store.calls.put, 0);
  await fd.close();
});

test('readCached answers only from a clean chunk memory holds, and the same bytes as read', async () => {
  const { fd, mem, map } = await openDataPath({ chunkSize: CS });
  const data = bytes(2 * CS + 50);
  await fd.write(4, 0, data);
  assert.equal(fd.readCached(4, data.length, 0, 100), null, 'dirty: the general path');
  await fd.flush(4);
  // An uploaded chunk stays in memory under its new object.
  assert.deepEqual(fd.readCached(4, data.length, 10, 100), data.subarray(10, 110));
  assert.deepEqual(fd.readCached(4, data.length, 2 * CS, 1000), data.subarray(2 * CS), 'stops at the end of the file');
  assert.equal(fd.readCached(4, data.length, CS - 10, 20), null, 'a range across two chunks');
  assert.equal(fd.readCached(4, data.length, data.length, 10), null, 'at the end');
  assert.equal(fd.readCached(4, 3 * CS + 10, 3 * CS, 10), null, 'a hole');
  assert.equal(fd.readCached(4, 3 * CS, 2 * CS + 40, 20), null, 'past the stored bytes of the chunk');
  await fd.write(4, 5, Buffer.from('new'));
  assert.equal(fd.readCached(4, data.length, 0, 100), null, 'dirty again');
  assert.deepEqual(fd.readCached(4, data.length, CS, 100), data.subarray(CS, CS + 100), 'the other chunks still answer');
  await fd.close();

  const cold = new StoreSpy(mem);
  const fd2 = await openFileData(cold, map, { chunkSize: CS, cacheDir: tempDir(), cacheSize: 0, readahead: 0 });
  assert.equal(fd2.readCached(4, data.length, 0, 100), null, 'nothing in memory after a restart');
  assert.equal(cold.calls.get, 0, 'and readCached never fetches');
  const read = await fd2.read(4, data.length, 0, 100);
  assert.equal(cold.calls.get, 1);
  assert.equal(read.subarray(5, 8).toString(), 'new');
  assert.deepEqual(fd2.readCached(4, data.length, 100, 100), data.subarray(100, 200), 'the fetched chunk answers');
  await fd2.close();
});

/** A store that reads bodies into the buffer `get` is given to, as the file and S3 stores do. */
class IntoAllocStore extends StoreWrapper {
  readonly given: Buffer[] = [];
  /** The memory of every body put. */
  readonly putFrom: ArrayBufferLike[] = [];
  protected around<T>(_call: StoreCall, run: () => Promise<T>): Promise<T> {
    return run();
  }
  override async put(key: string, body: Uint8Array): Promise<void> {
    this.putFrom.push(body.buffer);
    await this.inner.put(key, body);
    await new Promise((resolve) => setImmediate(resolve));
  }
  override async get(key: string, alloc?: Alloc): Promise<Buffer> {
    const body = await this.inner.get(key);
    // A real store answers in a later turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    if (!alloc) return body;
    const into = alloc(body.length);
    body.copy(into);
    this.given.push(into);
    return into;
  }
}

test('the buffers chunks are downloaded into are reused once memory lets go of them, and reads stay right', async () => {
  const { fd, mem, map } = await openDataPath({ chunkSize: CS });
  const data = bytes(12 * CS);
  await fd.write(5, 0, data);
  await fd.close();

  const store = new IntoAllocStore(mem);
  // Memory for 4 chunks and no disk tier: reading 12 twice lets go of 20, and the pool keeps 2 of them free.
  const fd2 = await openFileData(store, map, { chunkSize: CS, cacheDir: tempDir(), cacheSize: 0, memCacheSize: 4 * CS, readahead: 3 });
  for (let pass = 0; pass < 2; pass++) {
    for (let off = 0; off < data.length; off += 16 * 1024) {
      const got = await fd2.read(5, data.length, off, 16 * 1024);
      assert.ok(got.equals(data.subarray(off, off + 16 * 1024)), `pass ${pass}, bytes at ${off}`);
    }
  }
  const distinct = new Set(store.given.map((b) => b.buffer)).size;
  assert.ok(store.given.length >= 20, `nearly every chunk was downloaded in each pass: memory holds 4 (${store.given.length} GETs)`);
  assert.ok(distinct < store.given.length / 2, `${distinct} buffers for ${store.given.length} downloads`);
  await fd2.close();
});

test('a sequential writer fills buffers that come back once their chunks are uploaded and memory lets go of them', async () => {
  const mem = new MemStore();
  const map = new MemChunkMap();
  const store = new IntoAllocStore(mem);
  const fd = await openFileData(store, map, { chunkSize: CS, cacheDir: tempDir(), cacheSize: 0, memCacheSize: 4 * CS, readahead: 0, uploadConcurrency: 2 });
  const data = bytes(24 * CS);
  for (let off = 0; off < data.length; off += 16 * 1024) {
    await fd.write(9, off, data.subarray(off, off + 16 * 1024));
    // Each write is a request of its own, in a turn of its own, as through FUSE.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await fd.flush(9);
  assert.equal(store.putFrom.length, 24);
  const distinct = new Set(store.putFrom).size;
  assert.ok(distinct < 12, `${distinct} buffers for 24 uploaded chunks`);
  assert.ok((await fd.read(9, data.length, 0, data.length)).equals(data));
  await fd.close();
  const fd2 = await openFileData(new StoreSpy(mem), map, { chunkSize: CS, cacheDir: tempDir(), readahead: 0 });
  assert.ok((await fd2.read(9, data.length, 0, data.length)).equals(data), 'what the store holds is what was written');
  await fd2.close();
});
