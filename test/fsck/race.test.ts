import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { initChecksum, xxh64Hex } from '../../src/chunker/checksum.js';
import { objectKey } from '../../src/metadata/layout.js';
import { openMetadata } from '../../src/metadata/sqlite.js';
import { ROOT_INO } from '../../src/metadata/types.js';
import { openFilesystem } from '../../src/vfs/filesystem.js';
import { O_CREAT, O_RDWR } from '../../src/vfs/flags.js';
import { fileEnv, MiB, readAll } from './fixture.js';
import { fired, fsck } from './verify.js';

test('fsck --repair never deletes an object PUT but not yet committed (younger than the grace period)', async () => {
  const env = await fileEnv();
  await initChecksum();
  const ino = env.ref.entries.get('/f3')!.ino;
  const data = randomBytes(1000);
  const id = randomBytes(8).toString('hex');
  // An uploader's first step (DESIGN invariant 2): the object is in the store, the metadata does not name it yet.
  await env.store.put(objectKey(id), data);
  const r = await fsck(env, { repair: 'zero', now: Date.now });
  assert.equal(r.exitCode, 0);
  assert.deepEqual(fired(r).notes, ['objects_orphaned'], 'reported as a young unreferenced object');
  assert.ok(await env.store.head(objectKey(id)), 'the object is still there');
  // The uploader's second step: the commit. The file is whole.
  const meta = openMetadata(env.dbPath, env.ref.sb);
  meta.commitChunks(ino, [{ idx: 0, objectId: id, len: data.length, xxh64: xxh64Hex(data) }], data.length);
  meta.close();
  assert.equal((await fsck(env, { verifyData: true, now: Date.now })).exitCode, 0);
  // Control: past the grace period the same kind of object is an orphan and goes.
  const late = randomBytes(8).toString('hex');
  await env.store.put(objectKey(late), data);
  assert.equal((await fsck(env, { repair: 'zero', graceMs: 0, now: () => Date.now() + 1000 })).exitCode, 1);
  assert.equal(await env.store.head(objectKey(late)), null);
});

test('fsck --repair --force racing a live mount that is uploading: nothing uploaded is lost', async () => {
  const env = await fileEnv();
  const fs = await openFilesystem({ store: env.store, localDir: env.localDir, snapshotIntervalMs: 0, warn: () => undefined });
  const data = randomBytes(12 * MiB);
  let ino = 0;
  try {
    const { vfs } = fs;
    const { attr, fh } = await vfs.create(ROOT_INO, Buffer.from('big'), 0o644, O_RDWR | O_CREAT, { uid: 0, gid: 0 });
    ino = attr.ino;
    const writing = (async () => {
      for (let off = 0; off < data.length; off += 256 * 1024) {
        await vfs.write(fh, off, data.subarray(off, off + 256 * 1024));
        if (off % MiB === 0) await vfs.fsync(fh, false);
      }
      await vfs.flush(fh);
      await vfs.release(fh);
    })();
    // Several passes while the uploads go on, each with the default grace period.
    const checking = (async () => {
      for (let i = 0; i < 3; i++) await fsck(env, { repair: 'zero', force: true, now: Date.now });
    })();
    await Promise.all([writing, checking]);
  } finally {
    await fs.close();
  }
  const after = await fsck(env, { verifyData: true, now: Date.now });
  assert.deepEqual(fired(after).errors, []);
  const again = await openFilesystem({ store: env.store, localDir: env.localDir, snapshotIntervalMs: 0, warn: () => undefined });
  try {
    assert.ok((await readAll(again.vfs, ino)).equals(data), 'the file written during fsck is whole');
  } finally {
    await again.close();
  }
});
