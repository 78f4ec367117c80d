import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChunkBufferPool } from '../../src/chunker/buffer-pool.js';
import { CleanCache } from '../../src/chunker/cache.js';
import { initChecksum, xxh64Hex } from '../../src/chunker/checksum.js';
import { DiskCache } from '../../src/chunker/disk-cache.js';
import { ByteLru } from '../../src/chunker/lru.js';
import type { ChunkRef } from '../../src/metadata/types.js';
import { bytes } from '../helpers/data-path.js';
import { tempDir } from '../helpers/tmp.js';

const KiB = 1024;
const id = (n: number): string => n.toString(16).padStart(16, '0');
const refOf = (objectId: string, data: Buffer): ChunkRef => ({ idx: 0, objectId, len: data.length, xxh64: xxh64Hex(data) });

test('the byte LRU keeps its bound and evicts the least recently used first', () => {
  const evicted: string[] = [];
  const lru = new ByteLru<number>(100, (k) => evicted.push(k));
  lru.set('a', 1, 40);
  lru.set('b', 2, 40);
  lru.get('a');
  lru.set('c', 3, 40);
  assert.deepEqual(evicted, ['b']);
  assert.equal(lru.bytes, 80);
  assert.equal(lru.set('huge', 4, 101), false);
  assert.equal(lru.has('huge'), false);
  assert.equal(lru.bytes, 80);
});

test('demoted entries go first, oldest demotion first, and stay demoted when read', () => {
  const evicted: string[] = [];
  const lru = new ByteLru<number>(100, (k) => evicted.push(k));
  lru.set('a', 1, 25);
  lru.set('b', 2, 25);
  lru.set('c', 3, 25);
  lru.set('d', 4, 25);
  lru.demote('c');
  lru.demote('b');
  assert.equal(lru.get('c'), 3, 'a demoted entry is still there');
  lru.set('e', 5, 25);
  assert.deepEqual(evicted, ['c'], 'before a, the least recently used');
  lru.set('f', 6, 25);
  assert.deepEqual(evicted, ['c', 'b']);
  lru.set('g', 7, 25);
  assert.deepEqual(evicted, ['c', 'b', 'a'], 'then the plain LRU order');
  lru.demote('e');
  lru.set('e', 8, 25);
  lru.set('h', 9, 25);
  assert.deepEqual(evicted, ['c', 'b', 'a', 'd'], 'set again, an entry is no longer demoted');
  assert.equal(lru.bytes, 100);
  assert.deepEqual([...lru.all()].map(([k]) => k), ['f', 'g', 'e', 'h']);
});

test('the memory tier is bounded in bytes', async () => {
  await initChecksum();
  const cache = new CleanCache({ cacheDir: tempDir(), diskBytes: 0, memBytes: 100 * KiB });
  const chunks = [bytes(40 * KiB), bytes(40 * KiB), bytes(40 * KiB)];
  chunks.forEach((c, i) => cache.put(id(i), c));
  assert.ok(cache.stats().memBytes <= 100 * KiB);
  assert.equal(cache.has(id(0)), false, 'the oldest went');
  assert.deepEqual(await cache.get(refOf(id(2), chunks[2])), chunks[2]);
  assert.equal(await cache.get(refOf(id(0), chunks[0])), null);
});

test('the disk tier is bounded, and rebuilds its index (and LRU order) after a restart', async () => {
  await initChecksum();
  const dir = tempDir();
  const disk = new DiskCache(dir, 100 * KiB);
  const chunks = [bytes(40 * KiB), bytes(40 * KiB), bytes(40 * KiB)];
  for (const [i, c] of chunks.entries()) {
    disk.put(id(i), c);
    await disk.settled();
    await new Promise((r) => setTimeout(r, 15)); // distinct mtimes
  }
  assert.deepEqual(readdirSync(dir).sort(), [id(1), id(2)]);
  assert.ok(disk.bytes <= 100 * KiB);
  // Touch id(1) so that id(2) is now the least recently used.
  assert.deepEqual(await disk.get(id(1)), chunks[1]);
  await disk.settled();

  writeFileSync(join(dir, '.tmp-leftover'), 'torn');
  const reopened = new DiskCache(dir, 100 * KiB);
  assert.equal(reopened.bytes, 80 * KiB);
  assert.ok(reopened.has(id(1)) && reopened.has(id(2)));
  assert.ok(!readdirSync(dir).includes('.tmp-leftover'), 'temp files are removed on open');
  reopened.put(id(3), bytes(40 * KiB));
  await reopened.settled();
  assert.deepEqual(readdirSync(dir).sort(), [id(1), id(3)]);
});

test('a disk entry that fails its checksum is a miss and is removed', async () => {
  await initChecksum();
  const cacheDir = tempDir();
  const data = bytes(8 * KiB);
  const first = new CleanCache({ cacheDir, diskBytes: 1024 * KiB, memBytes: 1024 * KiB });
  first.put(id(7), data);
  first.spill();
  await first.settled();
  const path = join(cacheDir, 'clean', id(7));
  const bad = readFileSync(path);
  bad[100] ^= 0xff;
  writeFileSync(path, bad);

  const second = new CleanCache({ cacheDir, diskBytes: 1024 * KiB, memBytes: 1024 * KiB });
  assert.equal(await second.get(refOf(id(7), data)), null);
  await second.settled();
  assert.equal(second.has(id(7)), false);
  assert.deepEqual(readdirSync(join(cacheDir, 'clean')), []);
});

test('an entry put for memory only is dropped, not written, when memory lets go of it or at spill', async () => {
  await initChecksum();
  const cacheDir = tempDir();
  const onDisk = () => readdirSync(join(cacheDir, 'clean')).sort();
  const cache = new CleanCache({ cacheDir, diskBytes: 1024 * KiB, memBytes: 16 * KiB });
  cache.put(id(1), bytes(8 * KiB), false);
  cache.put(id(2), bytes(8 * KiB));
  cache.put(id(3), bytes(8 * KiB), false);
  await cache.settled();
  assert.deepEqual(onDisk(), []);
  assert.equal(cache.has(id(1)), false, 'evicted, and not on disk');
  cache.put(id(4), bytes(64 * KiB), false);
  cache.put(id(5), bytes(8 * KiB));
  cache.spill();
  await cache.settled();
  assert.deepEqual(onDisk(), [id(2), id(5)], 'only what was put for disk');
  cache.put(id(3), cache.peek(id(3))!); // put again, for disk this time
  cache.spill();
  await cache.settled();
  assert.ok(onDisk().includes(id(3)), 'put again for disk, it goes there');
});

test('the disk tier takes what memory evicts, and at spill what memory still holds', async () => {
  await initChecksum();
  const cacheDir = tempDir();
  const onDisk = () => readdirSync(join(cacheDir, 'clean')).sort();
  const cache = new CleanCache({ cacheDir, diskBytes: 1024 * KiB, memBytes: 16 * KiB });
  cache.put(id(1), bytes(8 * KiB));
  cache.put(id(2), bytes(8 * KiB));
  await cache.settled();
  assert.deepEqual(onDisk(), [], 'both fit in memory: no file yet');
  cache.put(id(3), bytes(8 * KiB));
  await cache.settled();
  assert.deepEqual(onDisk(), [id(1)], 'the least recently used went to disk');
  assert.ok(cache.has(id(1)) && cache.has(id(2)) && cache.has(id(3)));
  cache.put(id(4), bytes(64 * KiB));
  await cache.settled();
  assert.ok(onDisk().includes(id(4)), 'larger than memory: straight to disk');
  cache.spill();
  await cache.settled();
  assert.deepEqual(onDisk(), [id(1), id(2), id(3), id(4)].sort());
});

test('memory gives its pooled buffers back once nobody reads them: at once, or after the disk tier wrote them; disk hits are read into pooled buffers', async () => {
  await initChecksum();
  const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  for (const diskBytes of [0, 1024 * KiB]) {
    const pool = new ChunkBufferPool(40 * KiB, 8);
    const cache = new CleanCache({ cacheDir: tempDir(), diskBytes, memBytes: 100 * KiB, pool });
    const chunks = [0, 1, 2, 3].map(() => {
      const b = pool.take(40 * KiB);
      bytes(40 * KiB).copy(b);
      return b;
    });
    const kept = chunks.map((c) => Buffer.from(c));
    chunks.forEach((c, i) => cache.put(id(i), c));
    await cache.settled();
    await nextTurn();
    assert.equal(pool.freeCount, 2, `the two chunks memory let go of are free again (disk tier ${diskBytes})`);
    if (diskBytes === 0) continue;
    const freed = [pool.take(40 * KiB), pool.take(40 * KiB)];
    for (const b of freed) b.fill(0);
    assert.equal(pool.freeCount, 0);
    const back = await cache.get(refOf(id(0), kept[0]!));
    assert.ok(back?.equals(kept[0]!), 'what the disk tier wrote is intact though its buffer was reused');
    assert.equal(cache.stats().memBytes <= 100 * KiB, true);
    await cache.settled();
    await nextTurn();
    assert.equal(pool.freeCount, 1, 'the disk hit went to memory in a pooled buffer, and pushed another one out to the pool');
  }
});
