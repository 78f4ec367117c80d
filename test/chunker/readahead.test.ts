import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openFileData } from '../../src/chunker/file-data.js';
import { Readahead } from '../../src/chunker/readahead.js';
import { bytes, openDataPath } from '../helpers/data-path.js';
import { StoreSpy } from '../helpers/store-spy.js';
import { tempDir } from '../helpers/tmp.js';

const CS = 64 * 1024;

test('sequential reads prefetch the next chunks once; random reads prefetch nothing', async () => {
  const asked: number[] = [];
  const ra = new Readahead(3, CS, async (_ino, idx) => {
    asked.push(idx);
  });
  ra.onRead(1, 20 * CS, 0, CS);
  await ra.idle();
  assert.deepEqual(asked, [1, 2, 3]);
  ra.onRead(1, 20 * CS, CS, CS);
  await ra.idle();
  assert.deepEqual(asked, [1, 2, 3, 4], 'only the chunk not prefetched yet');
  ra.onRead(1, 20 * CS, 10 * CS, 100);
  await ra.idle();
  assert.deepEqual(asked, [1, 2, 3, 4], 'a jump is not sequential');
  ra.onRead(1, 20 * CS, 10 * CS + 100, 100);
  await ra.idle();
  assert.deepEqual(asked, [1, 2, 3, 4, 11, 12, 13]);
  ra.onRead(2, 2 * CS, 0, CS);
  await ra.idle();
  assert.deepEqual(asked.slice(7), [1], 'never past the end of the file');
});

test('a sequential reader finds the next chunks already cached', async () => {
  const dp = await openDataPath({ chunkSize: CS });
  const data = bytes(8 * CS);
  await dp.fd.write(1, 0, data);
  await dp.fd.close();
  const store = new StoreSpy(dp.mem);
  const fd = await openFileData(store, dp.map, { chunkSize: CS, cacheDir: tempDir(), readahead: 4 });
  await fd.read(1, data.length, 0, CS);
  for (let i = 0; i < 50 && store.calls.get < 5; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(store.calls.get, 5, 'the chunk read and four ahead');
  for (let off = CS; off < 5 * CS; off += CS) {
    assert.deepEqual(await fd.read(1, data.length, off, CS), data.subarray(off, off + CS));
  }
  assert.ok(store.calls.get <= 8);
  await fd.close();
});

test('prefetches run in parallel, up to the depth at once', async () => {
  let running = 0;
  let most = 0;
  const ra = new Readahead(8, CS, async () => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 20));
    running--;
  });
  ra.onRead(1, 40 * CS, 0, CS);
  ra.onRead(1, 40 * CS, CS, CS);
  ra.onRead(1, 40 * CS, 2 * CS, CS);
  await ra.idle();
  assert.equal(most, 8);
});
