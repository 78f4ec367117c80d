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
  const ra = new Readahead(
    3,
    CS,
    async (_ino, idx) => {
      asked.push(idx);
    },
    3,
  );
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
  // Memory for 6 chunks: the window is 4 chunks ahead, not twice the depth of 4.
  const fd = await openFileData(store, dp.map, { chunkSize: CS, cacheDir: tempDir(), readahead: 4, memCacheSize: 6 * CS });
  await fd.read(1, data.length, 0, CS);
  for (let i = 0; i < 50 && store.calls.get < 5; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 20));
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

test('the window reaches twice the depth ahead, so that depth fetches stay in flight while the reader waits for the oldest', async () => {
  const started: number[] = [];
  const release = new Map<number, () => void>();
  const ra = new Readahead(4, CS, (_ino, idx) => {
    started.push(idx);
    return new Promise<void>((resolve) => release.set(idx, resolve));
  });
  ra.onRead(1, 40 * CS, 0, CS);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [1, 2, 3, 4], 'the depth at once');
  // Chunks 2 to 4 land before chunk 1, which the reader waits for.
  for (const idx of [2, 3, 4]) release.get(idx)!();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [1, 2, 3, 4, 5, 6, 7], 'still 4 in flight: 1, 5, 6 and 7');
  release.get(1)!();
  ra.onRead(1, 40 * CS, CS, CS);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [1, 2, 3, 4, 5, 6, 7, 8], 'the window stops 8 chunks past the reader\'s chunk 0');
  for (const [, resolve] of release) resolve();
  ra.onRead(1, 40 * CS, 2 * CS, CS);
  for (let i = 0; i < 20 && started.length < 10; i++) {
    for (const [, resolve] of release) resolve();
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(Math.max(...started), 10, 'chunk 2 read: fetched up to chunk 2 + 8');
  for (const [, resolve] of release) resolve();
  await ra.idle();
});
