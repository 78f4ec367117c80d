import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_INO } from '../../src/metadata/types.js';
import type { Vfs } from '../../src/vfs/types.js';
import { ME, openFixture } from '../helpers/fs-fixture.js';

const name = (i: number) => Buffer.from(`entry-${String(i).padStart(5, '0')}`);

/** Reads a whole directory in pages of `page`, continuing each time at the offset after the last entry. */
async function readAll(vfs: Vfs, dir: number, page: number, between?: (offset: number) => Promise<void>): Promise<string[]> {
  const names: string[] = [];
  let offset = 0;
  for (;;) {
    const entries = await vfs.readdir(dir, offset, page);
    if (entries.length === 0) return names;
    names.push(...entries.map((e) => e.name.toString()));
    offset += entries.length;
    await between?.(offset);
  }
}

test('readdir lists ".", "..", then every entry once, over 5,000 entries in pages, with stable offsets', async (t) => {
  const { vfs } = await openFixture(t);
  const d = await vfs.mkdir(ROOT_INO, Buffer.from('big'), 0o755, ME);
  for (let i = 0; i < 5000; i++) await vfs.mknod(d.ino, name(i), 0o100644, 0, ME);
  const all = await readAll(vfs, d.ino, 128);
  assert.equal(all.length, 5002);
  assert.deepEqual(all.slice(0, 2), ['.', '..']);
  assert.deepEqual(all.slice(2), Array.from({ length: 5000 }, (_, i) => name(i).toString()));

  const first = await vfs.readdir(d.ino, 0, 2);
  assert.equal(first[0]!.attr.ino, d.ino);
  assert.equal(first[1]!.attr.ino, ROOT_INO);
  const e = (await vfs.readdir(d.ino, 2, 1))[0]!;
  assert.equal(e.attr.kind, 'file');
  assert.equal(e.attr.ino, (await vfs.lookup(d.ino, name(0))).ino);

  // Entries removed behind the reader's position do not shift what comes next, nor do new ones.
  const seen = await readAll(vfs, d.ino, 100, async (offset) => {
    if (offset === 1002) {
      for (let i = 0; i < 500; i++) await vfs.unlink(d.ino, name(i));
      await vfs.mknod(d.ino, Buffer.from('aaa-new-before'), 0o100644, 0, ME);
    }
  });
  assert.equal(seen.length, 5002, 'nothing skipped, nothing repeated');
  assert.equal(new Set(seen).size, 5002);

  // An offset the reader got earlier still continues where it did (re-reading a page).
  const pageA = await vfs.readdir(d.ino, 3000, 5);
  const pageB = await vfs.readdir(d.ino, 3000, 5);
  assert.deepEqual(pageB.map((x) => x.name.toString()), pageA.map((x) => x.name.toString()));
});

test('readdir at an offset never handed out counts from the start; past the end it is empty; a file is ENOTDIR', async (t) => {
  const { vfs } = await openFixture(t);
  const d = await vfs.mkdir(ROOT_INO, Buffer.from('d'), 0o755, ME);
  for (let i = 0; i < 10; i++) await vfs.mknod(d.ino, name(i), 0o100644, 0, ME);
  assert.deepEqual((await vfs.readdir(d.ino, 7, 2)).map((x) => x.name.toString()), [name(5).toString(), name(6).toString()]);
  assert.deepEqual(await vfs.readdir(d.ino, 12, 10), []);
  assert.deepEqual(await vfs.readdir(d.ino, 500, 10), []);
  assert.deepEqual(await vfs.readdir(d.ino, 0, 0), []);
  assert.deepEqual((await vfs.readdir(d.ino, 1, 1)).map((x) => x.name.toString()), ['..']);
  const f = await vfs.lookup(d.ino, name(0));
  await assert.rejects(vfs.readdir(f.ino, 0, 10), { errno: 'ENOTDIR' });
});

test('readdir reports the in-memory size of an open file', async (t) => {
  const { vfs } = await openFixture(t);
  const c = await vfs.create(ROOT_INO, Buffer.from('f'), 0o644, 0o2, ME);
  await vfs.write(c.fh, 0, Buffer.alloc(777));
  const entry = (await vfs.readdir(ROOT_INO, 2, 10)).find((x) => x.name.toString() === 'f')!;
  assert.equal(entry.attr.size, 777);
  await vfs.release(c.fh);
});
