import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_INO } from '../../src/metadata/types.js';
import { listAll } from '../../src/store/types.js';
import { O_CREAT, O_RDONLY, O_RDWR } from '../../src/vfs/flags.js';
import { KeyLog, ME, openFixture, type FsFixture } from '../helpers/fs-fixture.js';

const TiB = 2 ** 40;

async function chunkKeys(fx: FsFixture): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of listAll(fx.raw, 'chunks/')) keys.push(o.key);
  return keys;
}

test('a 1 TiB sparse file (truncate up) stores no object and reads zeros in the hole', async (t) => {
  let log!: KeyLog;
  const fx = await openFixture(t, { wrap: (s) => (log = new KeyLog(s)) });
  const { attr, fh } = await fx.vfs.create(ROOT_INO, Buffer.from('sparse'), 0o644, O_RDWR | O_CREAT, ME);
  await fx.vfs.setattr(attr.ino, { size: TiB }, ME, fh);
  await fx.vfs.fsync(fh, false);
  await fx.vfs.release(fh);
  assert.equal((await fx.vfs.getattr(attr.ino)).size, TiB);
  assert.deepEqual(log.chunkPuts(), [], 'no chunk PUT');
  assert.deepEqual(await chunkKeys(fx), [], 'no chunk object in the store');

  await fx.reopen();
  assert.equal((await fx.vfs.getattr(attr.ino)).size, TiB);
  const rd = await fx.vfs.open(attr.ino, O_RDONLY);
  for (const at of [0, 12345, TiB / 2 - 3, TiB - 4096]) {
    const got = await fx.vfs.read(rd, at, 4096);
    assert.equal(got.length, Math.min(4096, TiB - at));
    assert.ok(got.equals(Buffer.alloc(got.length)), `zeros at ${at}`);
  }
  assert.equal((await fx.vfs.read(rd, TiB, 10)).length, 0, 'nothing past the end');
  await fx.vfs.release(rd);
  assert.deepEqual(await chunkKeys(fx), []);
  assert.equal(log.calls.filter((c) => c.op === 'get' || c.op === 'getRange').filter((c) => c.key.startsWith('chunks/')).length, 0, 'no chunk read');
  const stats = await fx.vfs.statfs();
  assert.equal(stats.bfree, stats.blocks, 'a sparse file uses no space');
});

test('1 byte written in the middle of a 1 TiB hole stores one object; the hole around it stays zeros', async (t) => {
  const fx = await openFixture(t);
  const { attr, fh } = await fx.vfs.create(ROOT_INO, Buffer.from('sparse'), 0o644, O_RDWR | O_CREAT, ME);
  await fx.vfs.setattr(attr.ino, { size: TiB }, ME, fh);
  await fx.vfs.write(fh, TiB / 2, Buffer.from([7]));
  await fx.vfs.release(fh);
  assert.equal((await chunkKeys(fx)).length, 1);
  const rd = await fx.vfs.open(attr.ino, O_RDONLY);
  const around = await fx.vfs.read(rd, TiB / 2 - 2, 5);
  assert.deepEqual([...around], [0, 0, 7, 0, 0]);
  await fx.vfs.release(rd);
  assert.equal((await fx.vfs.getattr(attr.ino)).size, TiB);
});
