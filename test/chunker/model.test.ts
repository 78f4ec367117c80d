import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openFileData } from '../../src/chunker/file-data.js';
import { FsError } from '../../src/errors.js';
import { seededRandom } from '../../src/store/fault.js';
import { openDataPath } from '../helpers/data-path.js';
import { tempDir } from '../helpers/tmp.js';

/** Larger than the smallest dirty buffer, so that buffer growth is exercised too. */
const CS = 256 * 1024;

/**
 * Random writes, truncates, flushes, journal calls and reads on a few files at once, over a
 * slow store, a small dirty bound and occasional upload failures, checked against a plain
 * buffer per file after every step and once more from a cold instance at the end.
 */
test('random operations match a model of each file', async (t) => {
  t.mock.method(console, 'error', () => {});
  const rand = seededRandom(Number(process.env.MODEL_SEED ?? 42));
  const int = (n: number) => Math.floor(rand() * n);
  const { fd, store, map, mem } = await openDataPath({ chunkSize: CS, maxDirtyBytes: 8 * CS, uploadConcurrency: 3 });
  store.delayMs = () => int(3);
  store.failWhen = () => rand() < 0.1;
  const isEIO = (err: unknown) => err instanceof FsError && err.errno === 'EIO';

  const run = async (ino: number) => {
    let model = Buffer.alloc(0);
    const size = () => model.length;
    for (let step = 0; step < 150; step++) {
      const op = int(100);
      if (op < 45) {
        const offset = int(10 * CS);
        const data = Buffer.alloc(1 + (int(2) ? int(8192) : int(2 * CS)), int(3) === 0 ? 0 : 1 + int(255));
        // A write at the dirty bound fails with EIO when uploads fail; an application retries it.
        for (;;) {
          try {
            await fd.write(ino, offset, data);
            break;
          } catch (err) {
            assert.ok(isEIO(err), `unexpected ${String(err)}`);
          }
        }
        if (offset + data.length > model.length) model = Buffer.concat([model, Buffer.alloc(offset + data.length - model.length)]);
        data.copy(model, offset);
      } else if (op < 60) {
        const newSize = int(8 * CS);
        await fd.truncate(ino, size(), newSize);
        map.setSize(ino, newSize, CS); // what the vfs does after the chunk layer
        model = newSize <= model.length ? Buffer.from(model.subarray(0, newSize)) : Buffer.concat([model, Buffer.alloc(newSize - model.length)]);
      } else if (op < 70) {
        await fd.flush(ino).catch((err: unknown) => assert.ok(isEIO(err), `unexpected ${String(err)}`));
      } else if (op < 75) {
        await fd.journal(ino);
      } else {
        const offset = int(size() + 1);
        const got = await fd.read(ino, size(), offset, 1 + int(3 * CS));
        assert.deepEqual(got, model.subarray(offset, offset + got.length), `ino ${ino} step ${step} read at ${offset}`);
      }
    }
    return model;
  };

  const models = await Promise.all([1, 2, 3].map(run));
  store.failWhen = null;
  await fd.flushAll();
  await fd.close();
  // Every dirty buffer reserved was released: a leak would end in writers waiting forever.
  assert.equal((fd as unknown as { budget: { used: number } }).budget.used, 0);
  for (const [i, model] of models.entries()) {
    const ino = i + 1;
    assert.ok(map.size(ino) <= model.length || map.getChunks(ino, 0, 1e6).length === 0, `committed size of ${ino}`);
    const cold = await openFileData(mem, map, { chunkSize: CS, cacheDir: tempDir(), readahead: 0 });
    assert.deepEqual(await cold.read(ino, model.length, 0, model.length), model, `ino ${ino} from the store`);
    for (const ref of map.getChunks(ino, 0, 1e6)) assert.ok(ref.idx * CS + ref.len <= model.length, `chunk ${ref.idx} of ${ino} past the end`);
    await cold.close();
  }
});
