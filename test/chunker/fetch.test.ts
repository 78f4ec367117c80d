import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openFileData } from '../../src/chunker/file-data.js';
import { objectKey } from '../../src/chunker/keys.js';
import { CorruptChunk } from '../../src/errors.js';
import { bytes, openDataPath } from '../helpers/data-path.js';
import { StoreSpy } from '../helpers/store-spy.js';
import { tempDir } from '../helpers/tmp.js';

const CS = 64 * 1024;

/** A stored file of `n` bytes, and a second FileData over it with cold caches. */
async function storedFile(n: number) {
  const dp = await openDataPath({ chunkSize: CS });
  const data = bytes(n);
  await dp.fd.write(1, 0, data);
  await dp.fd.close();
  const store = new StoreSpy(dp.mem);
  const fd = await openFileData(store, dp.map, { chunkSize: CS, cacheDir: tempDir(), readahead: 0 });
  return { ...dp, data, fd, store };
}

test('concurrent reads of one chunk share one GET', async () => {
  const { fd, store, data } = await storedFile(CS);
  const [a, b, c] = await Promise.all([fd.read(1, CS, 0, 100), fd.read(1, CS, 200, 100), fd.read(1, CS, 0, CS)]);
  assert.equal(store.calls.get, 1);
  assert.deepEqual(a, data.subarray(0, 100));
  assert.deepEqual(b, data.subarray(200, 300));
  assert.deepEqual(c, data);
  await fd.close();
});

test('a flipped byte in a stored object is CorruptChunk and one log line, never wrong bytes', async (t) => {
  const { fd, mem, map } = await storedFile(2 * CS);
  const ref = map.getChunk(1, 1)!;
  const body = await mem.get(objectKey(ref.objectId));
  body[12345] ^= 0x01;
  await mem.put(objectKey(ref.objectId), body);
  const log = t.mock.method(console, 'error', () => {});

  await assert.rejects(fd.read(1, 2 * CS, CS, 10), CorruptChunk);
  assert.equal(log.mock.callCount(), 1);
  const line = String(log.mock.calls[0].arguments[0]);
  assert.match(line, /ino=1 idx=1 object=[0-9a-f]{16}/);
  // Not cached: the next read checks again.
  await assert.rejects(fd.read(1, 2 * CS, 0, 2 * CS), CorruptChunk);
  // The intact chunk still reads.
  assert.equal((await fd.read(1, 2 * CS, 0, 10)).length, 10);
  await fd.close();
});

test('a short object fails the length check', async (t) => {
  const { fd, mem, map } = await storedFile(CS);
  const ref = map.getChunk(1, 0)!;
  const body = await mem.get(objectKey(ref.objectId));
  await mem.put(objectKey(ref.objectId), body.subarray(0, CS - 1));
  t.mock.method(console, 'error', () => {});
  await assert.rejects(fd.read(1, CS, 0, 1), (err: unknown) => err instanceof CorruptChunk && /length/.test(err.message));
  await fd.close();
});

test('holes read as zeros without a request', async () => {
  const { fd, store } = await openDataPath({ chunkSize: CS });
  await fd.write(2, 10 * CS, Buffer.from('end'));
  await fd.flush(2);
  const gets = store.calls.get;
  const out = await fd.read(2, 10 * CS + 3, 0, 10 * CS + 3);
  assert.equal(store.calls.get, gets);
  assert.ok(out.subarray(0, 10 * CS).every((b) => b === 0));
  assert.equal(out.subarray(10 * CS).toString(), 'end');
  await fd.close();
});
