import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openFileData } from '../../src/chunker/file-data.js';
import { bytes, openDataPath } from '../helpers/data-path.js';
import { StoreSpy } from '../helpers/store-spy.js';
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
