import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { ROOT_INO } from '../../src/metadata/types.js';
import { O_CREAT, O_RDONLY, O_RDWR, O_WRONLY } from '../../src/vfs/flags.js';
import type { Vfs } from '../../src/vfs/types.js';
import { ME, openFixture } from '../helpers/fs-fixture.js';

const MiB = 1024 * 1024;
const n = (s: string) => Buffer.from(s);
const pattern = (len: number, seed: number) => {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = (i * seed + (i >> 11)) & 0xff;
  return b;
};

async function put(vfs: Vfs, parent: number, name: string, data: Buffer): Promise<number> {
  const { attr, fh } = await vfs.create(parent, n(name), 0o644, O_WRONLY | O_CREAT, ME);
  await vfs.write(fh, 0, data);
  await vfs.release(fh);
  return attr.ino;
}

async function contents(vfs: Vfs, parent: number, name: string): Promise<Buffer> {
  const attr = await vfs.lookup(parent, n(name));
  const fh = await vfs.open(attr.ino, O_RDONLY);
  try {
    return await vfs.read(fh, 0, attr.size + 1);
  } finally {
    await vfs.release(fh);
  }
}

test('losing the local database after a snapshot: reopening restores the filesystem as of that snapshot, every file intact', async (t) => {
  const fx = await openFixture(t);
  const a = pattern(2 * MiB + 100, 3);
  const b = pattern(5000, 5);
  const d = await fx.vfs.mkdir(ROOT_INO, n('dir'), 0o750, ME);
  await put(fx.vfs, ROOT_INO, 'a', a);
  await put(fx.vfs, d.ino, 'b', b);
  await fx.vfs.symlink(d.ino, n('link'), n('../a'), ME);
  await fx.vfs.setxattr(d.ino, 'user.tag', n('kept'));
  await fx.fs.snapshotNow();

  // After the snapshot: overwrite all of a's first chunk (its old object is retired, not yet
  // deletable), add a file, remove b. None of it is in the snapshot.
  const aIno = (await fx.vfs.lookup(ROOT_INO, n('a'))).ino;
  const fh = await fx.vfs.open(aIno, O_RDWR);
  await fx.vfs.write(fh, 0, Buffer.alloc(MiB, 0xee));
  await fx.vfs.fsync(fh, false);
  await put(fx.vfs, ROOT_INO, 'c', n('after the snapshot'));
  await fx.vfs.unlink(d.ino, n('b'));

  // Crash and lose the local disk.
  fx.abandon();
  rmSync(fx.stateDir, { recursive: true, force: true });
  await fx.reopen({ forceLease: true });

  assert.ok((await contents(fx.vfs, ROOT_INO, 'a')).equals(a), 'a as of the snapshot (its old chunk object was kept)');
  assert.ok((await contents(fx.vfs, d.ino, 'b')).equals(b), 'b as of the snapshot');
  await assert.rejects(fx.vfs.lookup(ROOT_INO, n('c')), { errno: 'ENOENT' });
  const dir = await fx.vfs.lookup(ROOT_INO, n('dir'));
  assert.equal(dir.perm, 0o750);
  assert.equal((await fx.vfs.readlink((await fx.vfs.lookup(d.ino, n('link'))).ino)).toString(), '../a');
  assert.equal((await fx.vfs.getxattr(d.ino, 'user.tag')).toString(), 'kept');
});

test('losing the local database after a clean close restores everything written before it', async (t) => {
  const fx = await openFixture(t, { backend: 'file' });
  const files = Array.from({ length: 5 }, (_, i) => pattern(300_000 * i + 1, i + 11));
  for (const [i, data] of files.entries()) await put(fx.vfs, ROOT_INO, `f${i}`, data);
  await fx.close();
  rmSync(fx.stateDir, { recursive: true, force: true });
  await fx.reopen();
  for (const [i, data] of files.entries()) assert.ok((await contents(fx.vfs, ROOT_INO, `f${i}`)).equals(data), `f${i}`);
  const names = (await fx.vfs.readdir(ROOT_INO, 2, 100)).map((e) => e.name.toString());
  assert.deepEqual(names, files.map((_, i) => `f${i}`));
});
