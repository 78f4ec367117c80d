import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FsError } from '../../src/errors.js';
import { objectKey } from '../../src/metadata/layout.js';
import { ROOT_INO } from '../../src/metadata/types.js';
import { keyPath } from '../../src/store/file-keys.js';
import { O_CREAT, O_RDONLY, O_WRONLY } from '../../src/vfs/flags.js';
import { ME, openFixture } from '../helpers/fs-fixture.js';

const MiB = 1024 * 1024;

test('a chunk object corrupted on disk reads as EIO (an FsError), never as wrong bytes; other chunks still read', async (t) => {
  const fx = await openFixture(t, { backend: 'file' });
  const data = Buffer.alloc(MiB + MiB / 2);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
  const { attr, fh } = await fx.vfs.create(ROOT_INO, Buffer.from('f'), 0o644, O_WRONLY | O_CREAT, ME);
  await fx.vfs.write(fh, 0, data);
  await fx.vfs.release(fh);
  const [first, second] = fx.chunks(attr.ino);
  assert.ok(first && second, 'two chunks');

  await fx.close();
  // Flip bytes of chunk 0's object in the store, and forget the local cache of clean chunks.
  const path = keyPath(fx.storeDir!, objectKey(first.objectId));
  const bytes = readFileSync(path);
  bytes[1000] ^= 0xff;
  writeFileSync(path, bytes);
  rmSync(join(fx.stateDir, 'cache'), { recursive: true, force: true });
  await fx.reopen();

  const rd = await fx.vfs.open(attr.ino, O_RDONLY);
  const err = await fx.vfs.read(rd, 0, 4096).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof FsError, `an FsError, got ${String(err)}`);
  assert.equal(err.errno, 'EIO');
  await assert.rejects(fx.vfs.read(rd, MiB - 10, 20), { errno: 'EIO' }, 'a read spanning the bad chunk');
  assert.ok((await fx.vfs.read(rd, MiB, MiB)).equals(data.subarray(MiB)), 'the intact chunk reads');
  await assert.rejects(fx.vfs.read(rd, 0, 4096), { errno: 'EIO' }, 'still EIO on a second try: nothing wrong was cached');
  await fx.vfs.release(rd);
});
