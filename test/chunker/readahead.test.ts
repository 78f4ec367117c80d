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
  ra.onRead(3, 20 * CS, 5 * CS, 100);
  ra.onRead(3, 20 * CS, 5 * CS + 50, 100);
  ra.onRead(3, 20 * CS, 5 * CS + 400, 100);
  await ra.idle();
  assert.deepEqual(asked.slice(8), [], 'reads near each other that never continue one another start no stream');
});

/** Inode 1 holding `chunks` chunks of random bytes in the store, and a spy on that store for a fresh data path. */
async function storedFile(chunks: number) {
  const dp = await openDataPath({ chunkSize: CS });
  const data = bytes(chunks * CS);
  await dp.fd.write(1, 0, data);
  await dp.fd.close();
  return { dp, data, store: new StoreSpy(dp.mem) };
}

test('a sequential reader finds the next chunks already cached', async () => {
  const { dp, data, store } = await storedFile(8);
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

test('reads handed over out of order stay sequential; passed chunks are reported once; a fetch the reader has passed is dropped', async () => {
  const asked: number[] = [];
  const passed: number[] = [];
  const release: (() => void)[] = [];
  const ra = new Readahead(
    1,
    CS,
    (_ino, idx) => {
      asked.push(idx);
      return new Promise<void>((resolve) => release.push(resolve));
    },
    2,
    (_ino, idx) => passed.push(idx),
  );
  const q = CS / 4;
  ra.onRead(1, 40 * CS, 0, q);
  ra.onRead(1, 40 * CS, 2 * q, q); // ahead of the one in between
  ra.onRead(1, 40 * CS, q, q);
  ra.onRead(1, 40 * CS, 3 * q, q);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(asked, [1], 'one at a time');
  // The reader reaches chunk 3 while the fetch of 1 runs: 2 is passed and dropped.
  ra.onRead(1, 40 * CS, CS, CS);
  ra.onRead(1, 40 * CS, 2 * CS, CS);
  ra.onRead(1, 40 * CS, 3 * CS, q);
  assert.deepEqual(passed, [0, 1, 2]);
  for (let i = 0; i < 20; i++) {
    while (release.length) release.shift()!();
    await new Promise((r) => setTimeout(r, 2));
  }
  await ra.idle();
  assert.deepEqual(asked, [1, 4, 5], 'chunk 2 and 3 were dropped: the reader was past them');
});

test('a sequential reader with a window wider than memory\'s half fetches each chunk once', async () => {
  const { dp, data, store } = await storedFile(40);
  // Memory for 10 chunks, a window of 8, no disk tier: chunks fetched ahead outlast those read.
  const fd = await openFileData(store, dp.map, { chunkSize: CS, cacheDir: tempDir(), cacheSize: 0, readahead: 4, memCacheSize: 10 * CS });
  for (let off = 0; off < data.length; off += CS / 4) {
    assert.ok((await fd.read(1, data.length, off, CS / 4)).equals(data.subarray(off, off + CS / 4)));
    // The store answers faster than the reader reads: fetches land while it is still in a chunk.
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(store.calls.get, 40);
  await fd.close();
});
