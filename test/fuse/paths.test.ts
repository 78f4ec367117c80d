import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FsError } from '../../src/errors.js';
import type { Attr } from '../../src/metadata/types.js';
import { PathCache, splitPath } from '../../src/fuse/paths.js';

/** A namespace of path → inode that counts lookups, standing in for the vfs. */
function fakeVfs(tree: Record<string, { ino: number; dir?: boolean }>) {
  const byIno = new Map<number, string>([[1, '']]);
  for (const [p, e] of Object.entries(tree)) byIno.set(e.ino, p);
  let lookups = 0;
  return {
    tree,
    get lookups() {
      return lookups;
    },
    async lookup(parent: number, name: Buffer): Promise<Attr> {
      lookups++;
      const path = `${byIno.get(parent)}/${name.toString()}`;
      const e = tree[path];
      if (!e) throw new FsError('ENOENT');
      return { ino: e.ino, kind: e.dir ? 'dir' : 'file' } as Attr;
    },
  };
}

test('splitPath', () => {
  assert.deepEqual(splitPath('/a'), { parent: '/', name: Buffer.from('a') });
  assert.deepEqual(splitPath('/a/b c'), { parent: '/a', name: Buffer.from('b c') });
  assert.throws(() => splitPath('/'), /EINVAL|no parent/);
});

test('resolves through lookups once, then from the cache', async () => {
  const vfs = fakeVfs({ '/a': { ino: 2, dir: true }, '/a/b': { ino: 3 } });
  const cache = new PathCache(vfs);
  assert.equal(await cache.resolve('/'), 1);
  assert.equal(await cache.resolve('/a/b'), 3);
  assert.equal(vfs.lookups, 2);
  assert.equal(await cache.resolve('/a/b'), 3);
  assert.equal(await cache.resolve('/a'), 2);
  assert.equal(vfs.lookups, 2);
});

test('a missing name is ENOENT and is not cached', async () => {
  const vfs = fakeVfs({});
  const cache = new PathCache(vfs);
  await assert.rejects(cache.resolve('/nope'), (e: unknown) => e instanceof FsError && e.errno === 'ENOENT');
  vfs.tree['/nope'] = { ino: 9 };
  assert.equal(await cache.resolve('/nope'), 9);
});

test('unlink and rmdir forget the name and everything under it', async () => {
  const vfs = fakeVfs({ '/d': { ino: 2, dir: true }, '/d/f': { ino: 3 }, '/d/e': { ino: 4, dir: true }, '/d/e/g': { ino: 5 } });
  const cache = new PathCache(vfs);
  await cache.resolve('/d/e/g');
  await cache.resolve('/d/f');
  delete vfs.tree['/d/f'];
  cache.removed('/d/f');
  await assert.rejects(cache.resolve('/d/f'));
  delete vfs.tree['/d/e/g'];
  delete vfs.tree['/d/e'];
  cache.removed('/d/e');
  assert.equal(cache.peek('/d/e/g'), undefined);
  assert.equal(cache.peek('/d'), 2);
});

test('rename moves the entry, drops the old subtree and whatever the target named', async () => {
  const vfs = fakeVfs({ '/a': { ino: 2, dir: true }, '/a/x': { ino: 3 }, '/b': { ino: 6 } });
  const cache = new PathCache(vfs);
  await cache.resolve('/a/x');
  await cache.resolve('/b');
  cache.renamed('/a', '/b');
  assert.equal(cache.peek('/b'), 2);
  assert.equal(cache.peek('/a'), undefined);
  assert.equal(cache.peek('/a/x'), undefined, 'children of a moved directory are re-resolved under the new name');
  cache.added('/b/y', 7, false);
  assert.equal(await cache.resolve('/b/y'), 7);
});

test('a full cache starts over instead of growing', async () => {
  const tree: Record<string, { ino: number }> = {};
  for (let i = 0; i < 10; i++) tree[`/f${i}`] = { ino: 10 + i };
  const cache = new PathCache(fakeVfs(tree), 5);
  for (let i = 0; i < 10; i++) assert.equal(await cache.resolve(`/f${i}`), 10 + i);
  assert.ok(cache.size <= 5);
  assert.equal(cache.peek('/'), 1);
});

test('a lookup or listing that read the namespace before a removal or rename does not cache what it read', async () => {
  const vfs = fakeVfs({ '/a': { ino: 2 }, '/b': { ino: 3 } });
  let answer: (() => void) | null = null;
  const slow = {
    // Reads the namespace at once and answers when told.
    lookup: (parent: number, name: Buffer) => {
      const read = vfs.lookup(parent, name);
      return new Promise<Attr>((resolve) => (answer = () => resolve(read)));
    },
  };
  const cache = new PathCache(slow);
  // The rename lands while the lookup's answer is on its way back.
  const lookup = cache.resolve('/a');
  while (!answer) await new Promise((r) => setImmediate(r));
  cache.renamed('/a', '/c');
  (answer as () => void)();
  assert.equal(await lookup, 2);
  assert.equal(cache.peek('/a'), undefined, 'the old name is not cached');
  answer = null;

  const mark = cache.mark;
  cache.removed('/b');
  cache.addListing('/', [{ name: 'b', attr: { ino: 3, kind: 'file' } as Attr }], mark);
  assert.equal(cache.peek('/b'), undefined, 'a listing read before the unlink is not cached');
  cache.addListing('/', [{ name: 'b', attr: { ino: 3, kind: 'file' } as Attr }], cache.mark);
  assert.equal(cache.peek('/b'), 3, 'a listing read after it is');

  const again = cache.resolve('/a');
  while (!answer) await new Promise((r) => setImmediate(r));
  (answer as () => void)();
  assert.equal(await again, 2);
  assert.equal(cache.peek('/a'), 2, 'a lookup with nothing in between is cached');
});
