import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { ROOT_INO } from '../../src/metadata/types.js';
import { listAll } from '../../src/store/types.js';
import { withCounting, type CountingStore } from '../../src/store/counting.js';
import { O_CREAT, O_RDONLY, O_RDWR, O_WRONLY } from '../../src/vfs/flags.js';
import { ME, openFixture, type FsFixture } from '../helpers/fs-fixture.js';

/**
 * A 1 GiB file of incompressible-looking data on a file store, with 4 MiB chunks. The data
 * is one random 1 MiB block with the block number stamped into it, so every chunk differs
 * and the reference is regenerated, never held.
 */
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const CHUNK = 4 * MiB;
const BLOCK = randomBytes(MiB);
const PATCH_AT = 512 * MiB + 123_457; // the middle, not on a chunk boundary
const PATCH = Buffer.from([0x5a]);

function block(k: number): Buffer {
  const b = Buffer.from(BLOCK);
  b.writeUInt32LE(k, 0);
  b.writeUInt32LE((k * 2654435761) >>> 0, MiB / 2);
  return b;
}

/** The reference bytes of chunk `idx` after the patch. */
function referenceChunk(idx: number): Buffer {
  const parts: Buffer[] = [];
  for (let k = (idx * CHUNK) / MiB; k < ((idx + 1) * CHUNK) / MiB; k++) parts.push(block(k));
  const chunk = Buffer.concat(parts);
  const rel = PATCH_AT - idx * CHUNK;
  if (rel >= 0 && rel < CHUNK) PATCH.copy(chunk, rel);
  return chunk;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function chunkObjects(fx: FsFixture): Promise<Set<string>> {
  const keys = new Set<string>();
  for await (const o of listAll(fx.raw, 'chunks/')) keys.add(o.key);
  return keys;
}

let counting!: CountingStore;
let ino: number;
// Opened at the top level (not in a hook), so its temp dir lives as long as this file's tests.
const fx: FsFixture = await openFixture(undefined, {
  backend: 'file',
  chunkSize: CHUNK,
  cacheSize: 64 * MiB,
  leaseTtlMs: 3_600_000, // no lease renewal PUT during a measurement
  wrap: (s) => (counting = withCounting(s)),
});

before(async () => {
  const { attr, fh } = await fx.vfs.create(ROOT_INO, Buffer.from('big'), 0o644, O_WRONLY | O_CREAT, ME);
  ino = attr.ino;
  for (let k = 0; k < GiB / MiB; k++) await fx.vfs.write(fh, k * MiB, block(k));
  await fx.vfs.release(fh);
  assert.equal((await fx.vfs.getattr(ino)).size, GiB);
});

// Runs last in this file (tests run in order): closes the shared filesystem.
const closeAtEnd = () => fx.close();

test('1 byte written into the middle of a 1 GiB file uploads exactly one chunk object, no larger than a chunk', async () => {
  // Chunks uploaded in the background while partly written left retired objects: let them go.
  await fx.fs.snapshotNow();
  const objectsBefore = await chunkObjects(fx);
  assert.equal(objectsBefore.size, GiB / CHUNK);
  counting.resetCounts();
  const fh = await fx.vfs.open(ino, O_RDWR);
  await fx.vfs.write(fh, PATCH_AT, PATCH);
  await fx.vfs.fsync(fh, false);
  const puts = counting.snapshot().put;
  await fx.vfs.release(fh);
  assert.equal(puts.requests, 1, 'exactly one PUT');
  assert.ok(puts.bytesUp > 0 && puts.bytesUp <= CHUNK, `PUT of ${puts.bytesUp} bytes, chunk size ${CHUNK}`);
  const added = [...(await chunkObjects(fx))].filter((k) => !objectsBefore.has(k));
  assert.equal(added.length, 1, 'one new chunk object in the store');
  assert.ok(added[0]!.startsWith('chunks/'));
});

test('the patched 1 GiB file reads back identical to the reference changed the same way, chunk by chunk', async () => {
  await fx.reopen(); // read through a fresh mount
  const fh = await fx.vfs.open(ino, O_RDONLY);
  for (let idx = 0; idx < GiB / CHUNK; idx++) {
    const got = await fx.vfs.read(fh, idx * CHUNK, CHUNK);
    const want = referenceChunk(idx);
    if (sha(got) !== sha(want)) {
      let at = 0;
      while (at < want.length && got[at] === want[at]) at++;
      assert.fail(`chunk ${idx} differs from byte ${at} of ${want.length} (read ${got.length} bytes)`);
    }
  }
  assert.equal((await fx.vfs.read(fh, GiB, 10)).length, 0);
  await fx.vfs.release(fh);
});

test('renaming a 1 GiB file uploads and downloads 0 bytes', async () => {
  counting.resetCounts();
  const d = await fx.vfs.mkdir(ROOT_INO, Buffer.from('moved'), 0o755, ME);
  await fx.vfs.rename(ROOT_INO, Buffer.from('big'), d.ino, Buffer.from('big-renamed'));
  const attr = await fx.vfs.lookup(d.ino, Buffer.from('big-renamed'));
  assert.equal(attr.ino, ino);
  assert.equal(attr.size, GiB);
  assert.equal(counting.total('bytesUp'), 0, 'bytes uploaded');
  assert.equal(counting.total('bytesDown'), 0, 'bytes downloaded');
  assert.equal(counting.counts.put.requests + counting.counts.get.requests + counting.counts.getRange.requests, 0);
  await closeAtEnd();
});
