import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openFileData } from '../../src/chunker/file-data.js';
import { openMetadata } from '../../src/metadata/sqlite.js';
import { createFilesystemDb, FORMAT_VERSION } from '../../src/metadata/superblock.js';
import { ROOT_INO, type Superblock } from '../../src/metadata/types.js';
import { withCounting } from '../../src/store/counting.js';
import { MemStore } from '../../src/store/mem.js';
import { bytes } from '../helpers/data-path.js';
import { tempDir } from '../helpers/tmp.js';

const CS = 1024 * 1024;
const SB: Superblock = { formatVersion: FORMAT_VERSION, uuid: '7c0f6a52-1d9b-4e57-8d0a-5f3c2b1e9a40', chunkSize: CS, createdMs: 0 };

/** The data path over the real SQLite chunk map, as the vfs drives it (truncate first, then setattr). */
test('over the SQLite metadata: commit, size, truncate and object retirement', async () => {
  const dir = tempDir();
  const dbPath = join(dir, 'meta.db');
  createFilesystemDb(dbPath, SB);
  const meta = openMetadata(dbPath, SB, { synchronous: 'normal' });
  try {
    const { ino } = meta.mknod(ROOT_INO, Buffer.from('f'), { kind: 'file', perm: 0o644, uid: 0, gid: 0, nowMs: 1 });
    const store = withCounting(new MemStore());
    const fd = await openFileData(store, meta, { chunkSize: CS, cacheDir: join(dir, 'cache'), readahead: 0 });
    const data = bytes(2 * CS + 100);
    await fd.write(ino, 0, data);
    await fd.write(ino, 5 * CS, Buffer.alloc(CS)); // all zeros: no object
    await fd.flush(ino);
    assert.equal(store.counts.put.requests, 3);
    assert.equal(meta.getattr(ino).size, 6 * CS, 'commits raise the size to the chunks written');
    assert.deepEqual(meta.getChunks(ino, 0, 10).map((r) => [r.idx, r.len]), [[0, CS], [1, CS], [2, 100]]);

    await fd.truncate(ino, 6 * CS, CS + 10);
    meta.setattr(ino, { size: CS + 10 });
    await fd.flush(ino);
    assert.deepEqual(meta.getChunks(ino, 0, 10).map((r) => [r.idx, r.len]), [[0, CS], [1, 10]]);
    assert.equal(meta.getattr(ino).size, CS + 10);
    const back = await fd.read(ino, 3 * CS, 0, 3 * CS);
    assert.deepEqual(back.subarray(0, CS + 10), data.subarray(0, CS + 10));
    assert.ok(back.subarray(CS + 10).every((b) => b === 0));
    await fd.close();
    const stats = meta.statfs();
    assert.equal(stats.objects, 2);
    assert.equal(stats.objectBytes, CS + 10);
  } finally {
    meta.close();
  }
});
