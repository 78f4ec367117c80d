import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBudget } from '../../src/chunker/budget.js';
import { FsError } from '../../src/errors.js';
import { bytes, openDataPath } from '../helpers/data-path.js';

const CS = 64 * 1024;
const tick = () => new Promise((r) => setTimeout(r, 20));

test('the budget refuses what does not fit, except into an empty budget', () => {
  const b = new MemoryBudget(100, 50);
  assert.ok(b.tryReserve(1000), 'one oversized reservation into an empty budget');
  b.release(1000);
  assert.ok(b.tryReserve(60));
  assert.ok(b.overHighWater);
  assert.equal(b.tryReserve(50), false);
  assert.equal(b.used, 60);
});

test('writers wait at the dirty bound until uploads free room, and all data arrives', async () => {
  const max = 4 * CS;
  const { fd, store, map } = await openDataPath({ chunkSize: CS, maxDirtyBytes: max, uploadConcurrency: 2 });
  store.holdPuts();
  const data = bytes(12 * CS);
  let done = false;
  const writing = (async () => {
    for (let off = 0; off < data.length; off += 16 * 1024) await fd.write(1, off, data.subarray(off, off + 16 * 1024));
    done = true;
  })();
  await store.heldAtLeast(2);
  await tick();
  assert.equal(done, false, 'the writer waits while uploads are held');
  assert.ok(fd.dirtyBytes() <= max, `dirty ${fd.dirtyBytes()} <= ${max}`);
  store.releasePuts();
  await writing;
  await fd.flush(1);
  assert.equal(fd.dirtyBytes(), 0);
  assert.equal(map.getChunks(1, 0, 100).length, 12);
  assert.deepEqual(await fd.read(1, data.length, 0, data.length), data);
  await fd.close();
});

test('crossing the high-water mark starts uploads without a flush', async () => {
  const { fd, store } = await openDataPath({ chunkSize: CS, maxDirtyBytes: 8 * CS });
  await fd.write(1, 0, bytes(6 * CS));
  await tick();
  assert.ok(store.calls.put > 0, 'uploads started');
  assert.ok(fd.dirtyBytes() < 6 * CS);
  await fd.close();
});

test('many concurrent writers over a small bound finish (no deadlock)', async () => {
  const { fd, map } = await openDataPath({ chunkSize: CS, maxDirtyBytes: 3 * CS, uploadConcurrency: 3 });
  const files = Array.from({ length: 8 }, () => bytes(5 * CS + 777));
  await Promise.all(
    files.map(async (data, i) => {
      for (let off = 0; off < data.length; off += 40000) await fd.write(i + 1, off, data.subarray(off, off + 40000));
    }),
  );
  await fd.flushAll();
  for (const [i, data] of files.entries()) {
    assert.equal(map.size(i + 1), data.length);
    assert.deepEqual(await fd.read(i + 1, data.length, 0, data.length), data);
  }
  await fd.close();
});

test('a writer at the bound gets EIO when uploads keep failing, and the dirty data stays', async (t) => {
  t.mock.method(console, 'error', () => {});
  const { fd, store } = await openDataPath({ chunkSize: CS, maxDirtyBytes: 2 * CS });
  store.failPuts = true;
  await assert.rejects(
    (async () => {
      for (let i = 0; i < 10; i++) await fd.write(1, i * CS, bytes(CS));
    })(),
    (err: unknown) => err instanceof FsError && err.errno === 'EIO',
  );
  assert.ok(fd.dirtyBytes() > 0);
  store.failPuts = false;
  await fd.close();
  assert.equal(fd.dirtyBytes(), 0);
});
