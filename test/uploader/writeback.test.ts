import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openFileData } from '../../src/chunker/file-data.js';
import { FsError } from '../../src/errors.js';
import { withFaultInjection } from '../../src/store/fault.js';
import { MemStore } from '../../src/store/mem.js';
import { withRetry } from '../../src/store/retry.js';
import { MemChunkMap } from '../helpers/chunkmap.js';
import { bytes, openDataPath } from '../helpers/data-path.js';
import { tempDir } from '../helpers/tmp.js';

const CS = 64 * 1024;
const isEIO = (err: unknown): boolean => err instanceof FsError && err.errno === 'EIO';

test('a PUT that fails past the retries keeps the data dirty; flush is EIO, and a later flush succeeds', async (t) => {
  const log = t.mock.method(console, 'error', () => {});
  const mem = new MemStore();
  const faulty = withFaultInjection(mem, { failRate: 1, only: ['put'] });
  const store = withRetry(faulty, { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 });
  const map = new MemChunkMap();
  const fd = await openFileData(store, map, { chunkSize: CS, cacheDir: tempDir(), readahead: 0 });
  const data = bytes(2 * CS + 10);
  await fd.write(4, 0, data);

  await assert.rejects(fd.flush(4), isEIO);
  assert.equal(faulty.faults.calls.put, 9, 'three chunks, three attempts each');
  assert.equal(fd.dirtyBytes(), data.length, 'nothing was lost');
  assert.equal(map.commits, 0);
  assert.match(String(log.mock.calls[0]?.arguments[0]), /upload of ino=4 idx=\d failed/);
  assert.deepEqual(await fd.read(4, data.length, 0, data.length), data);
  await assert.rejects(fd.flushAll(), isEIO);

  faulty.setFaults({ failRate: 0 });
  await fd.flush(4);
  assert.equal(fd.dirtyBytes(), 0);
  await fd.close();
  const reader = await openFileData(mem, map, { chunkSize: CS, cacheDir: tempDir(), readahead: 0 });
  assert.deepEqual(await reader.read(4, data.length, 0, data.length), data);
  await reader.close();
});

test('a write that lands during an upload re-marks the chunk dirty; the newer version uploads next', async () => {
  const { fd, store, map } = await openDataPath({ chunkSize: CS });
  await fd.write(1, 0, Buffer.from('version one'));
  store.holdPuts();
  const flushing = fd.flush(1);
  await store.heldAtLeast(1);
  await fd.write(1, 0, Buffer.from('VERSION TWO'));
  store.releasePuts();
  await flushing;
  assert.equal(fd.dirtyBytes(), 11, 'the second version is still dirty');
  assert.equal(map.getChunk(1, 0)!.len, 11);
  await fd.flush(1);
  assert.equal(store.calls.put, 2);
  assert.equal(fd.dirtyBytes(), 0);
  await fd.close();
  const reader = await openFileData(store, map, { chunkSize: CS, cacheDir: tempDir(), readahead: 0 });
  assert.equal((await reader.read(1, 11, 0, 11)).toString(), 'VERSION TWO');
  await reader.close();
});

test('truncate waits for in-flight uploads, so no chunk past the new end survives', async () => {
  const { fd, store, map } = await openDataPath({ chunkSize: CS });
  const data = bytes(3 * CS);
  // Held from the start: the full chunks begin uploading without waiting for the flush.
  store.holdPuts();
  await fd.write(1, 0, data);
  const flushing = fd.flush(1);
  await store.heldAtLeast(3);

  const newSize = CS / 2;
  let truncated = false;
  const truncating = fd.truncate(1, data.length, newSize).then(() => (truncated = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(truncated, false, 'truncate waits while uploads of its chunks are in flight');
  store.releasePuts();
  await truncating;
  await flushing;
  assert.deepEqual(map.getChunks(1, 1, 10), [], 'late commits past the end were undone');
  // What the vfs does next: the metadata takes the new size.
  map.setSize(1, newSize, CS);
  await fd.flush(1);
  assert.equal(map.size(1), newSize, 'no commit raised the size again');
  assert.equal(map.getChunk(1, 0)!.len, newSize, 'the end chunk was trimmed');

  // Growing the file again reads zeros past the old cut.
  const reader = await openFileData(store, map, { chunkSize: CS, cacheDir: tempDir(), readahead: 0 });
  const grown = await reader.read(1, 2 * CS, 0, 2 * CS);
  assert.deepEqual(grown.subarray(0, newSize), data.subarray(0, newSize));
  assert.ok(grown.subarray(newSize).every((b) => b === 0));
  await reader.close();
  await fd.close();
});

test('truncate of a stored file trims the end chunk and drops dirty chunks past it', async () => {
  const { fd, store, map } = await openDataPath({ chunkSize: CS });
  const data = bytes(4 * CS);
  await fd.write(1, 0, data);
  await fd.flush(1);
  await fd.write(1, 3 * CS, bytes(100)); // dirty, past the coming end
  await fd.truncate(1, 4 * CS, CS + 5);
  map.setSize(1, CS + 5, CS);
  // Grow again with a write far away; the bytes between must read as zeros.
  await fd.write(1, 3 * CS, Buffer.from('z'));
  const out = await fd.read(1, 3 * CS + 1, 0, 3 * CS + 1);
  assert.deepEqual(out.subarray(0, CS + 5), data.subarray(0, CS + 5));
  assert.ok(out.subarray(CS + 5, 3 * CS).every((b) => b === 0));
  await fd.flush(1);
  assert.equal(map.getChunk(1, 1)!.len, 5);
  assert.equal(map.getChunk(1, 2), null);
  await fd.truncate(1, 3 * CS + 1, 3 * CS + 1); // same size: nothing to do
  const puts = store.calls.put;
  await fd.truncate(1, 3 * CS + 1, 10 * CS); // growing costs nothing
  assert.equal(store.calls.put, puts);
  assert.equal(fd.dirtyBytes(), 0);
  await fd.close();
});

test('drop waits for in-flight uploads of the inode, then forgets it', async () => {
  const { fd, store, map } = await openDataPath({ chunkSize: CS });
  store.holdPuts();
  await fd.write(6, 0, bytes(2 * CS));
  const flushing = fd.flush(6);
  await store.heldAtLeast(2);
  let dropped = false;
  const dropping = fd.drop(6).then(() => (dropped = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(dropped, false);
  store.releasePuts();
  await dropping;
  await flushing;
  assert.equal(fd.dirtyBytes(), 0);
  // The commits landed before drop returned, so destroying the inode now retires them.
  assert.equal(map.getChunks(6, 0, 10).length, 2);
  await fd.close();
});

test('a full chunk uploads before any flush, a partly written one does not', async () => {
  const { fd, store, map } = await openDataPath({ chunkSize: CS });
  const settle = async (puts: number): Promise<void> => {
    for (let i = 0; i < 100 && store.calls.put < puts; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 30)); // room for uploads that should not happen
  };
  // A sequential writer: chunk 0 filled in two writes, chunk 1 only begun.
  const data = bytes(CS + 100);
  await fd.write(1, 0, data.subarray(0, CS / 2));
  await fd.write(1, CS / 2, data.subarray(CS / 2));
  await settle(1);
  assert.equal(store.calls.put, 1, 'only the full chunk');
  assert.equal(map.getChunk(1, 0)?.len, CS);
  assert.equal(map.getChunk(1, 1), null);
  assert.equal(fd.dirtyBytes(), 100);

  // A small write into a stored chunk loads it whole, but only its written bytes count.
  await fd.write(2, 0, bytes(CS));
  await fd.flush(2);
  const puts = store.calls.put;
  await fd.write(2, 5, bytes(10));
  await fd.write(2, CS - 1, bytes(1));
  await settle(puts + 1);
  assert.equal(store.calls.put, puts, 'a random write is not uploaded early');
  assert.equal(fd.dirtyBytes(), CS + 100, 'ino 1 keeps 100 bytes, ino 2 one chunk');

  // Rewritten whole while its upload runs: the newer version goes up too, without a flush.
  store.holdPuts();
  await fd.write(3, 0, bytes(CS));
  await store.heldAtLeast(1);
  const second = bytes(CS);
  await fd.write(3, 0, second);
  store.releasePuts();
  await settle(puts + 2);
  assert.equal(store.calls.put, puts + 2);
  assert.deepEqual(map.getChunks(3, 0, 1).length, 1);
  await fd.close();
  const reader = await openFileData(store, map, { chunkSize: CS, cacheDir: tempDir(), readahead: 0 });
  assert.deepEqual(await reader.read(3, CS, 0, CS), second);
  await reader.close();
});
