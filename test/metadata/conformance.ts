import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FsError, type Errno } from '../../src/errors.js';
import { ROOT_INO, type Attr, type ChunkRef, type Metadata, type Superblock } from '../../src/metadata/types.js';

/**
 * The metadata conformance suite: every engine of `Metadata` runs it through its own
 * factory. Only the interface is used, so the same cases hold for any engine.
 */
export type MetadataFactory = (superblock: Superblock) => Metadata | Promise<Metadata>;

export const SUPERBLOCK: Superblock = {
  formatVersion: 1,
  uuid: '2f1d7a4c-5b0e-4c8e-9a61-3d2b7e9f0c11',
  chunkSize: 1024 * 1024,
  createdMs: 1_700_000_000_000,
};

const B = (s: string) => Buffer.from(s);
const T0 = 1_000;
const T1 = 2_000;
const CS = SUPERBLOCK.chunkSize;

const oid = (n: number) => n.toString(16).padStart(16, '0');
const chunk = (idx: number, n: number, len = 100): ChunkRef => ({ idx, objectId: oid(n), len, xxh64: 'a'.repeat(16) });

function mk(m: Metadata, parent: number, name: string | Buffer, kind: 'file' | 'dir' | 'fifo' = 'file', nowMs = T0): Attr {
  return m.mknod(parent, typeof name === 'string' ? B(name) : name, { kind, perm: kind === 'dir' ? 0o755 : 0o644, uid: 1000, gid: 100, nowMs });
}

function fails(fn: () => unknown, errno: Errno): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof FsError, `expected FsError ${errno}, got ${String(err)}`);
    assert.equal(err.errno, errno);
    return true;
  });
}

const names = (m: Metadata, dir: number) => m.readdir(dir, null, 100_000).map((e) => e.name.toString());
const pendingIds = (m: Metadata) => m.dueDeletions(1_000_000).map((d) => d.objectId).sort();

/** Uploads nothing; makes the engine believe snapshot N is in the store. */
async function snapshotUploaded(m: Metadata): Promise<number> {
  const { seq } = await m.takeSnapshot();
  m.snapshotUploaded(seq);
  return seq;
}

export function metadataConformance(engine: string, factory: MetadataFactory): void {
  /** One case on a fresh filesystem, closed afterwards whatever happens. */
  const it = (name: string, fn: (m: Metadata) => void | Promise<void>) =>
    test(name, async () => {
      const m = await factory(SUPERBLOCK);
      try {
        await fn(m);
      } finally {
        m.close();
      }
    });

  describe(`metadata conformance: ${engine}`, () => {
    describe('sync', () => {
      it('sync() changes nothing visible and may be repeated, with or without commits since', (m) => {
        m.sync();
        const f = mk(m, ROOT_INO, 'f');
        const before = m.changedSinceSnapshot();
        m.sync();
        m.sync();
        assert.deepEqual(m.lookup(ROOT_INO, B('f')), f);
        assert.deepEqual(m.readdir(ROOT_INO, null, 10).map((e) => e.name.toString()), ['f']);
        assert.equal(m.changedSinceSnapshot(), before);
      });
    });

    describe('inodes and lookup', () => {
      it('a fresh filesystem has only the root: a directory, nlink 2, perm 0755', (m) => {
        const root = m.getattr(ROOT_INO);
        assert.equal(root.kind, 'dir');
        assert.equal(root.nlink, 2);
        assert.equal(root.perm, 0o755);
        assert.deepEqual(m.readdir(ROOT_INO, null, 10), []);
        assert.deepEqual(m.superblock, SUPERBLOCK);
      });

      it('getattr of a missing inode is ENOENT', (m) => fails(() => m.getattr(999_999), 'ENOENT'));

      it('lookup finds a child, fails with ENOENT, ENOTDIR, ENAMETOOLONG as Linux does', (m) => {
        const f = mk(m, ROOT_INO, 'f');
        assert.deepEqual(m.lookup(ROOT_INO, B('f')), f);
        fails(() => m.lookup(ROOT_INO, B('g')), 'ENOENT');
        fails(() => m.lookup(f.ino, B('x')), 'ENOTDIR');
        fails(() => m.lookup(999_999, B('x')), 'ENOENT');
        fails(() => m.lookup(ROOT_INO, Buffer.alloc(256, 0x61)), 'ENAMETOOLONG');
      });

      it('lookup of . and .. gives the directory and its parent', (m) => {
        const d = mk(m, ROOT_INO, 'd', 'dir');
        assert.equal(m.lookup(d.ino, B('.')).ino, d.ino);
        assert.equal(m.lookup(d.ino, B('..')).ino, ROOT_INO);
        assert.equal(m.lookup(ROOT_INO, B('..')).ino, ROOT_INO);
      });

      it('names are bytes: non-UTF-8 and 255-byte names round-trip', (m) => {
        const raw = Buffer.from([0xff, 0xfe, 0x80, 0x41]);
        const long = Buffer.alloc(255, 0x7a);
        const a = mk(m, ROOT_INO, raw);
        const b = mk(m, ROOT_INO, long);
        assert.equal(m.lookup(ROOT_INO, raw).ino, a.ino);
        assert.equal(m.lookup(ROOT_INO, long).ino, b.ino);
        const listed = m.readdir(ROOT_INO, null, 10).map((e) => e.name);
        assert.ok(listed.some((n) => n.equals(raw)));
        assert.ok(listed.some((n) => n.equals(long)));
      });
    });

    describe('mknod', () => {
      it('creates every kind with the given attributes and times', (m) => {
        const f = m.mknod(ROOT_INO, B('f'), { kind: 'file', perm: 0o640, uid: 7, gid: 8, nowMs: T1 });
        assert.deepEqual(
          { kind: f.kind, perm: f.perm, uid: f.uid, gid: f.gid, nlink: f.nlink, size: f.size, a: f.atimeMs, m: f.mtimeMs, c: f.ctimeMs },
          { kind: 'file', perm: 0o640, uid: 7, gid: 8, nlink: 1, size: 0, a: T1, m: T1, c: T1 },
        );
        const dev = m.mknod(ROOT_INO, B('dev'), { kind: 'chr', perm: 0o600, uid: 0, gid: 0, rdev: 0x0103, nowMs: T1 });
        assert.equal(dev.rdev, 0x0103);
        for (const kind of ['fifo', 'sock', 'blk'] as const) {
          assert.equal(m.mknod(ROOT_INO, B(kind), { kind, perm: 0o600, uid: 0, gid: 0, nowMs: T1 }).kind, kind);
        }
        const s = m.mknod(ROOT_INO, B('s'), { kind: 'symlink', perm: 0o777, uid: 0, gid: 0, target: B('../x/y'), nowMs: T1 });
        assert.equal(s.size, 6);
        assert.deepEqual(m.readlink(s.ino), B('../x/y'));
        assert.equal(new Set([f.ino, dev.ino, s.ino]).size, 3);
      });

      it('keeps only permission bits in perm', (m) => {
        const f = m.mknod(ROOT_INO, B('f'), { kind: 'file', perm: 0o104755, uid: 0, gid: 0, nowMs: T0 });
        assert.equal(f.perm, 0o4755);
      });

      it('a new directory has nlink 2 and raises its parent nlink; the parent gets mtime and ctime', (m) => {
        const d = mk(m, ROOT_INO, 'd', 'dir', T1);
        assert.equal(d.nlink, 2);
        const root = m.getattr(ROOT_INO);
        assert.equal(root.nlink, 3);
        assert.equal(root.mtimeMs, T1);
        assert.equal(root.ctimeMs, T1);
        mk(m, d.ino, 'sub', 'dir');
        mk(m, d.ino, 'file');
        assert.equal(m.getattr(d.ino).nlink, 3);
        assert.equal(m.getattr(ROOT_INO).nlink, 3);
      });

      it('fails with EEXIST, ENOENT, ENOTDIR, ENAMETOOLONG, EINVAL', (m) => {
        const f = mk(m, ROOT_INO, 'f');
        fails(() => mk(m, ROOT_INO, 'f'), 'EEXIST');
        fails(() => mk(m, ROOT_INO, 'f', 'dir'), 'EEXIST');
        fails(() => mk(m, ROOT_INO, '.'), 'EEXIST');
        fails(() => mk(m, ROOT_INO, '..', 'dir'), 'EEXIST');
        fails(() => mk(m, 999_999, 'x'), 'ENOENT');
        fails(() => mk(m, f.ino, 'x'), 'ENOTDIR');
        fails(() => mk(m, ROOT_INO, Buffer.alloc(256, 0x61)), 'ENAMETOOLONG');
        fails(() => mk(m, ROOT_INO, 'a/b'), 'EINVAL');
        fails(() => m.mknod(ROOT_INO, B('s'), { kind: 'symlink', perm: 0o777, uid: 0, gid: 0, nowMs: T0 }), 'EINVAL');
        fails(() => m.mknod(ROOT_INO, B('s'), { kind: 'symlink', perm: 0o777, uid: 0, gid: 0, target: B(''), nowMs: T0 }), 'ENOENT');
        fails(() => m.mknod(ROOT_INO, B('s'), { kind: 'symlink', perm: 0o777, uid: 0, gid: 0, target: Buffer.alloc(4096, 0x61), nowMs: T0 }), 'ENAMETOOLONG');
        assert.equal(m.mknod(ROOT_INO, B('s'), { kind: 'symlink', perm: 0o777, uid: 0, gid: 0, target: Buffer.alloc(4095, 0x61), nowMs: T0 }).size, 4095);
        m.unlink(ROOT_INO, B('s'), T0);
        assert.deepEqual(names(m, ROOT_INO), ['f']);
      });

      it('refuses new entries in a removed directory (ENOENT)', (m) => {
        const d = mk(m, ROOT_INO, 'd', 'dir');
        m.rmdir(ROOT_INO, B('d'), T1);
        fails(() => mk(m, d.ino, 'x'), 'ENOENT');
      });
    });

    describe('link and unlink', () => {
      it('link adds a name, raises nlink, sets ctime and the parent times', (m) => {
        const f = mk(m, ROOT_INO, 'f');
        const d = mk(m, ROOT_INO, 'd', 'dir');
        const after = m.link(f.ino, d.ino, B('g'), T1);
        assert.equal(after.nlink, 2);
        assert.equal(after.ctimeMs, T1);
        assert.equal(m.lookup(d.ino, B('g')).ino, f.ino);
        assert.equal(m.getattr(d.ino).mtimeMs, T1);
        assert.equal(m.getattr(d.ino).nlink, 2, 'a file link is no subdirectory');
      });

      it('link fails with EPERM for a directory, EEXIST, ENOENT, ENOTDIR', (m) => {
        const f = mk(m, ROOT_INO, 'f');
        const d = mk(m, ROOT_INO, 'd', 'dir');
        fails(() => m.link(d.ino, ROOT_INO, B('d2'), T1), 'EPERM');
        fails(() => m.link(f.ino, ROOT_INO, B('d'), T1), 'EEXIST');
        fails(() => m.link(999_999, ROOT_INO, B('x'), T1), 'ENOENT');
        fails(() => m.link(f.ino, f.ino, B('x'), T1), 'ENOTDIR');
        fails(() => m.link(f.ino, ROOT_INO, Buffer.alloc(256, 0x61), T1), 'ENAMETOOLONG');
        assert.equal(m.getattr(f.ino).nlink, 1);
      });

      it('link of an unlinked inode is ENOENT', (m) => {
        const f = mk(m, ROOT_INO, 'f');
        m.unlink(ROOT_INO, B('f'), T1);
        fails(() => m.link(f.ino, ROOT_INO, B('again'), T1), 'ENOENT');
      });

      it('unlink lowers nlink, sets ctime and parent times; the last name leaves an orphan', (m) => {
        const f = mk(m, ROOT_INO, 'f');
        m.link(f.ino, ROOT_INO, B('g'), T0);
        const a = m.unlink(ROOT_INO, B('f'), T1);
        assert.equal(a.nlink, 1);
        assert.equal(a.ctimeMs, T1);
        assert.equal(m.getattr(ROOT_INO).mtimeMs, T1);
        assert.equal(m.lookup(ROOT_INO, B('g')).ino, f.ino);
        assert.deepEqual(m.orphanInodes(), []);
        assert.equal(m.unlink(ROOT_INO, B('g'), T1).nlink, 0);
        assert.deepEqual(m.orphanInodes(), [f.ino]);
        assert.equal(m.getattr(f.ino).nlink, 0, 'an orphan stays readable until destroyed');
        assert.deepEqual(names(m, ROOT_INO), []);
      });

      it('unlink fails with EISDIR, ENOENT, ENOTDIR', (m) => {
        const f = mk(m, ROOT_INO, 'f');
        mk(m, ROOT_INO, 'd', 'dir');
        fails(() => m.unlink(ROOT_INO, B('d'), T1), 'EISDIR');
        fails(() => m.unlink(ROOT_INO, B('.'), T1), 'EISDIR');
        fails(() => m.unlink(ROOT_INO, B('nope'), T1), 'ENOENT');
        fails(() => m.unlink(f.ino, B('x'), T1), 'ENOTDIR');
        fails(() => m.unlink(999_999, B('x'), T1), 'ENOENT');
      });

      it('unlink removes symlinks, fifos and devices too', (m) => {
        m.mknod(ROOT_INO, B('s'), { kind: 'symlink', perm: 0o777, uid: 0, gid: 0, target: B('t'), nowMs: T0 });
        mk(m, ROOT_INO, 'p', 'fifo');
        assert.equal(m.unlink(ROOT_INO, B('s'), T1).nlink, 0);
        assert.equal(m.unlink(ROOT_INO, B('p'), T1).nlink, 0);
        assert.deepEqual(names(m, ROOT_INO), []);
      });
    });

    describe('rmdir', () => {
      it('removes an empty directory, lowers the parent nlink and sets its times', (m) => {
        const d = mk(m, ROOT_INO, 'd', 'dir');
        m.rmdir(ROOT_INO, B('d'), T1);
        const root = m.getattr(ROOT_INO);
        assert.equal(root.nlink, 2);
        assert.equal(root.mtimeMs, T1);
        assert.equal(root.ctimeMs, T1);
        fails(() => m.lookup(ROOT_INO, B('d')), 'ENOENT');
        assert.deepEqual(m.orphanInodes().filter((i) => i === d.ino), []);
      });

      it('fails with ENOTEMPTY, ENOTDIR, ENOENT, EINVAL for ., ENOTEMPTY for ..', (m) => {
        const d = mk(m, ROOT_INO, 'd', 'dir');
        mk(m, d.ino, 'f');
        const f = mk(m, ROOT_INO, 'f');
        fails(() => m.rmdir(ROOT_INO, B('d'), T1), 'ENOTEMPTY');
        fails(() => m.rmdir(ROOT_INO, B('f'), T1), 'ENOTDIR');
        fails(() => m.rmdir(ROOT_INO, B('nope'), T1), 'ENOENT');
        fails(() => m.rmdir(f.ino, B('x'), T1), 'ENOTDIR');
        fails(() => m.rmdir(d.ino, B('.'), T1), 'EINVAL');
        fails(() => m.rmdir(d.ino, B('..'), T1), 'ENOTEMPTY');
        assert.equal(m.getattr(ROOT_INO).nlink, 3);
        assert.equal(m.getattr(ROOT_INO).mtimeMs, T0, 'a failed rmdir changes nothing');
      });

      it('the root survives every attempt', (m) => {
        fails(() => m.rmdir(ROOT_INO, B('.'), T1), 'EINVAL');
        fails(() => m.destroyInode(ROOT_INO), 'EBUSY');
        assert.equal(m.getattr(ROOT_INO).kind, 'dir');
      });
    });

    describe('rename', () => {
      it('moves a file to a new name and sets ctime and the parents times', (m) => {
        const f = mk(m, ROOT_INO, 'f');
        const d = mk(m, ROOT_INO, 'd', 'dir');
        assert.deepEqual(m.rename(ROOT_INO, B('f'), d.ino, B('g'), {}, T1), {});
        assert.deepEqual(names(m, ROOT_INO), ['d']);
        assert.equal(m.lookup(d.ino, B('g')).ino, f.ino);
        assert.equal(m.getattr(f.ino).ctimeMs, T1);
        assert.equal(m.getattr(f.ino).nlink, 1);
        for (const dir of [ROOT_INO, d.ino]) {
          assert.equal(m.getattr(dir).mtimeMs, T1);
          assert.equal(m.getattr(dir).ctimeMs, T1);
        }
      });

      it('file over file: the target loses its name and is returned with nlink 0', (m) => {
        const a = mk(m, ROOT_INO, 'a');
        const b = mk(m, ROOT_INO, 'b');
        const { replaced } = m.rename(ROOT_INO, B('a'), ROOT_INO, B('b'), {}, T1);
        assert.equal(replaced?.ino, b.ino);
        assert.equal(replaced?.nlink, 0);
        assert.equal(m.lookup(ROOT_INO, B('b')).ino, a.ino);
        assert.deepEqual(names(m, ROOT_INO), ['b']);
        assert.deepEqual(m.orphanInodes(), [b.ino]);
      });

      it('file over a hard-linked file: the target keeps its other name', (m) => {
        mk(m, ROOT_INO, 'a');
        const b = mk(m, ROOT_INO, 'b');
        m.link(b.ino, ROOT_INO, B('b2'), T0);
        const { replaced } = m.rename(ROOT_INO, B('a'), ROOT_INO, B('b'), {}, T1);
        assert.equal(replaced?.nlink, 1);
        assert.equal(replaced?.ctimeMs, T1);
        assert.deepEqual(m.orphanInodes(), []);
      });

      it('a directory moves between parents with their nlink kept right', (m) => {
        const p = mk(m, ROOT_INO, 'p', 'dir');
        const q = mk(m, ROOT_INO, 'q', 'dir');
        mk(m, p.ino, 'd', 'dir');
        assert.equal(m.getattr(p.ino).nlink, 3);
        m.rename(p.ino, B('d'), q.ino, B('d'), {}, T1);
        assert.equal(m.getattr(p.ino).nlink, 2);
        assert.equal(m.getattr(q.ino).nlink, 3);
        assert.equal(m.getattr(ROOT_INO).nlink, 4);
        const d = m.lookup(q.ino, B('d'));
        assert.equal(m.lookup(d.ino, B('..')).ino, q.ino);
      });

      it('directory over an empty directory: the target is gone, nlink stays right', (m) => {
        const p = mk(m, ROOT_INO, 'p', 'dir');
        const q = mk(m, ROOT_INO, 'q', 'dir');
        const src = mk(m, p.ino, 'src', 'dir');
        const dst = mk(m, q.ino, 'dst', 'dir');
        const { replaced } = m.rename(p.ino, B('src'), q.ino, B('dst'), {}, T1);
        assert.equal(replaced?.ino, dst.ino);
        assert.equal(replaced?.nlink, 0);
        assert.equal(m.lookup(q.ino, B('dst')).ino, src.ino);
        assert.equal(m.getattr(p.ino).nlink, 2);
        assert.equal(m.getattr(q.ino).nlink, 3);
        m.destroyInode(dst.ino); // what a caller does with nlink 0; harmless if already gone
        fails(() => m.getattr(dst.ino), 'ENOENT');
      });

      it('directory over an empty sibling: the parent loses one link', (m) => {
        mk(m, ROOT_INO, 'a', 'dir');
        mk(m, ROOT_INO, 'b', 'dir');
        assert.equal(m.getattr(ROOT_INO).nlink, 4);
        assert.equal(m.rename(ROOT_INO, B('a'), ROOT_INO, B('b'), {}, T1).replaced?.nlink, 0);
        assert.equal(m.getattr(ROOT_INO).nlink, 3);
        assert.deepEqual(names(m, ROOT_INO), ['b']);
      });

      it('directory over a non-empty directory is ENOTEMPTY and changes nothing', (m) => {
        mk(m, ROOT_INO, 'a', 'dir');
        const b = mk(m, ROOT_INO, 'b', 'dir');
        mk(m, b.ino, 'inside');
        fails(() => m.rename(ROOT_INO, B('a'), ROOT_INO, B('b'), {}, T1), 'ENOTEMPTY');
        assert.deepEqual(names(m, ROOT_INO), ['a', 'b']);
        assert.deepEqual(names(m, b.ino), ['inside']);
        assert.equal(m.getattr(ROOT_INO).nlink, 4);
        assert.equal(m.getattr(ROOT_INO).mtimeMs, T0);
      });

      it('directory over a file is ENOTDIR; file over a directory is EISDIR', (m) => {
        mk(m, ROOT_INO, 'd', 'dir');
        mk(m, ROOT_INO, 'f');
        fails(() => m.rename(ROOT_INO, B('d'), ROOT_INO, B('f'), {}, T1), 'ENOTDIR');
        fails(() => m.rename(ROOT_INO, B('f'), ROOT_INO, B('d'), {}, T1), 'EISDIR');
        assert.deepEqual(names(m, ROOT_INO), ['d', 'f']);
      });

      it('a directory into its own subtree is EINVAL', (m) => {
        const a = mk(m, ROOT_INO, 'a', 'dir');
        const b = mk(m, a.ino, 'b', 'dir');
        const c = mk(m, b.ino, 'c', 'dir');
        fails(() => m.rename(ROOT_INO, B('a'), a.ino, B('x'), {}, T1), 'EINVAL');
        fails(() => m.rename(ROOT_INO, B('a'), c.ino, B('x'), {}, T1), 'EINVAL');
        fails(() => m.rename(a.ino, B('b'), c.ino, B('b'), {}, T1), 'EINVAL');
        assert.equal(m.lookup(ROOT_INO, B('a')).ino, a.ino);
        assert.equal(m.lookup(b.ino, B('c')).ino, c.ino);
      });

      it('onto an ancestor of the source is ENOTEMPTY (EINVAL with exchange)', (m) => {
        const a = mk(m, ROOT_INO, 'a', 'dir');
        const b = mk(m, a.ino, 'b', 'dir');
        mk(m, b.ino, 'c', 'dir');
        fails(() => m.rename(b.ino, B('c'), ROOT_INO, B('a'), {}, T1), 'ENOTEMPTY');
        fails(() => m.rename(b.ino, B('c'), ROOT_INO, B('a'), { exchange: true }, T1), 'EINVAL');
      });

      it('noreplace: EEXIST when the target exists, a plain move when not', (m) => {
        mk(m, ROOT_INO, 'a');
        mk(m, ROOT_INO, 'b');
        fails(() => m.rename(ROOT_INO, B('a'), ROOT_INO, B('b'), { noreplace: true }, T1), 'EEXIST');
        m.rename(ROOT_INO, B('a'), ROOT_INO, B('c'), { noreplace: true }, T1);
        assert.deepEqual(names(m, ROOT_INO), ['b', 'c']);
        fails(() => m.rename(ROOT_INO, B('b'), ROOT_INO, B('c'), { noreplace: true, exchange: true }, T1), 'EINVAL');
      });

      it('exchange swaps a file and a directory across parents, nlink kept right', (m) => {
        const p = mk(m, ROOT_INO, 'p', 'dir');
        const q = mk(m, ROOT_INO, 'q', 'dir');
        const f = mk(m, p.ino, 'f');
        const d = mk(m, q.ino, 'd', 'dir');
        assert.equal(m.getattr(q.ino).nlink, 3);
        assert.deepEqual(m.rename(p.ino, B('f'), q.ino, B('d'), { exchange: true }, T1), {});
        assert.equal(m.lookup(p.ino, B('f')).ino, d.ino);
        assert.equal(m.lookup(q.ino, B('d')).ino, f.ino);
        assert.equal(m.getattr(p.ino).nlink, 3);
        assert.equal(m.getattr(q.ino).nlink, 2);
        assert.equal(m.lookup(d.ino, B('..')).ino, p.ino);
        assert.equal(m.getattr(f.ino).ctimeMs, T1);
        assert.equal(m.getattr(d.ino).ctimeMs, T1);
      });

      it('exchange needs both names: ENOENT when the target is missing', (m) => {
        mk(m, ROOT_INO, 'a');
        fails(() => m.rename(ROOT_INO, B('a'), ROOT_INO, B('b'), { exchange: true }, T1), 'ENOENT');
      });

      it('two names of one inode, or a name onto itself, is a no-op', (m) => {
        const f = mk(m, ROOT_INO, 'a');
        m.link(f.ino, ROOT_INO, B('b'), T0);
        assert.deepEqual(m.rename(ROOT_INO, B('a'), ROOT_INO, B('b'), {}, T1), {});
        assert.deepEqual(names(m, ROOT_INO), ['a', 'b']);
        assert.equal(m.getattr(f.ino).nlink, 2);
        const d = mk(m, ROOT_INO, 'd', 'dir');
        assert.deepEqual(m.rename(ROOT_INO, B('d'), ROOT_INO, B('d'), {}, T1), {});
        assert.equal(m.getattr(d.ino).nlink, 2);
        assert.equal(m.getattr(ROOT_INO).nlink, 3);
      });

      it('fails with ENOENT, ENOTDIR, ENAMETOOLONG, EBUSY for . and ..', (m) => {
        const f = mk(m, ROOT_INO, 'f');
        const d = mk(m, ROOT_INO, 'd', 'dir');
        fails(() => m.rename(ROOT_INO, B('nope'), ROOT_INO, B('x'), {}, T1), 'ENOENT');
        fails(() => m.rename(ROOT_INO, B('f'), f.ino, B('x'), {}, T1), 'ENOTDIR');
        fails(() => m.rename(ROOT_INO, B('f'), 999_999, B('x'), {}, T1), 'ENOENT');
        fails(() => m.rename(ROOT_INO, B('f'), ROOT_INO, Buffer.alloc(256, 0x61), {}, T1), 'ENAMETOOLONG');
        fails(() => m.rename(d.ino, B('.'), ROOT_INO, B('x'), {}, T1), 'EBUSY');
        fails(() => m.rename(d.ino, B('..'), ROOT_INO, B('x'), {}, T1), 'EBUSY');
        fails(() => m.rename(ROOT_INO, B('f'), d.ino, B('..'), {}, T1), 'EBUSY');
        assert.deepEqual(names(m, ROOT_INO), ['d', 'f']);
      });
    });

    describe('consistency under random operations', () => {
      it('after 3,000 random namespace operations, every nlink matches the tree', (m) => {
        let seed = 12345;
        const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
        const dirs = [ROOT_INO];
        const pick = <T>(xs: T[]) => xs[rand(xs.length)]!;
        const nm = () => B(`n${rand(6)}`);
        const succeeded = new Array<number>(7).fill(0);
        for (let i = 0; i < 3000; i++) {
          const op = rand(7);
          try {
            switch (op) {
              case 0: dirs.push(mk(m, pick(dirs), nm(), 'dir').ino); break;
              case 1: mk(m, pick(dirs), nm()); break;
              case 2: {
                const e = m.readdir(pick(dirs), null, 100);
                if (e.length) m.link(pick(e).attr.ino, pick(dirs), nm(), T1);
                break;
              }
              case 3: {
                const a = m.unlink(pick(dirs), nm(), T1);
                if (a.nlink === 0 && rand(2)) m.destroyInode(a.ino);
                break;
              }
              case 4: m.rmdir(pick(dirs), nm(), T1); break;
              default: {
                const flags = [{}, { noreplace: true }, { exchange: true }][rand(3)]!;
                const r = m.rename(pick(dirs), nm(), pick(dirs), nm(), flags, T1);
                if (r.replaced?.nlink === 0 && r.replaced.kind !== 'dir') m.destroyInode(r.replaced.ino);
              }
            }
            succeeded[op]!++;
          } catch (err) {
            if (!(err instanceof FsError)) throw err;
          }
        }
        assert.ok(succeeded.every((n) => n >= 20), `every kind of operation succeeded often: ${succeeded.join(' ')}`);
        const namesOf = new Map<number, number>();
        const subdirs = new Map<number, number>();
        const walk = (dir: number) => {
          for (const e of m.readdir(dir, null, 1e6)) {
            namesOf.set(e.attr.ino, (namesOf.get(e.attr.ino) ?? 0) + 1);
            assert.equal(m.getattr(e.attr.ino).kind, e.attr.kind);
            if (e.attr.kind === 'dir') {
              subdirs.set(dir, (subdirs.get(dir) ?? 0) + 1);
              assert.equal(m.lookup(e.attr.ino, B('..')).ino, dir);
              walk(e.attr.ino);
            }
          }
        };
        walk(ROOT_INO);
        assert.equal(m.getattr(ROOT_INO).nlink, 2 + (subdirs.get(ROOT_INO) ?? 0));
        for (const [ino, count] of namesOf) {
          const a = m.getattr(ino);
          assert.equal(a.nlink, a.kind === 'dir' ? 2 + (subdirs.get(ino) ?? 0) : count, `nlink of ${ino}`);
          if (a.kind === 'dir') assert.equal(count, 1);
        }
        const orphans = m.orphanInodes();
        assert.ok(orphans.every((ino) => !namesOf.has(ino)));
        assert.equal(m.statfs().files, 1 + namesOf.size + orphans.length);
      });
    });

    describe('setattr and readlink', () => {
      it('changes perm, owner and times; leaves the rest', (m) => {
        const f = mk(m, ROOT_INO, 'f');
        const a = m.setattr(f.ino, { perm: 0o100600, uid: 5, gid: 6, atimeMs: 11, mtimeMs: 12, ctimeMs: 13 });
        assert.deepEqual(a, { ...f, perm: 0o600, uid: 5, gid: 6, atimeMs: 11, mtimeMs: 12, ctimeMs: 13 });
        assert.deepEqual(m.setattr(f.ino, {}), a);
        assert.deepEqual(m.getattr(f.ino), a);
        fails(() => m.setattr(999_999, { perm: 0o600 }), 'ENOENT');
      });

      it('size: shrinking drops the chunks wholly past the end and retires their objects', async (m) => {
        const f = mk(m, ROOT_INO, 'f');
        m.commitChunks(f.ino, [chunk(0, 1, CS), chunk(1, 2, CS), chunk(2, 3, CS), chunk(3, 4, 10)], 3 * CS + 10);
        assert.equal(m.getattr(f.ino).size, 3 * CS + 10);
        assert.equal(m.setattr(f.ino, { size: CS + 1 }).size, CS + 1);
        assert.deepEqual(m.getChunks(f.ino, 0, 10).map((c) => c.idx), [0, 1], 'the boundary chunk stays');
        m.setattr(f.ino, { size: CS });
        assert.deepEqual(m.getChunks(f.ino, 0, 10).map((c) => c.idx), [0]);
        await snapshotUploaded(m);
        assert.deepEqual(pendingIds(m), [oid(2), oid(3), oid(4)]);
        m.setattr(f.ino, { size: 10 * CS });
        assert.deepEqual(m.getChunks(f.ino, 0, 100).map((c) => c.idx), [0], 'growing keeps chunks');
        m.setattr(f.ino, { size: 0 });
        assert.deepEqual(m.getChunks(f.ino, 0, 100), []);
      });

      it('size of a directory is EISDIR, of a fifo EINVAL, negative EINVAL', (m) => {
        const d = mk(m, ROOT_INO, 'd', 'dir');
        const p = mk(m, ROOT_INO, 'p', 'fifo');
        const f = mk(m, ROOT_INO, 'f');
        fails(() => m.setattr(d.ino, { size: 0 }), 'EISDIR');
        fails(() => m.setattr(p.ino, { size: 0 }), 'EINVAL');
        fails(() => m.setattr(f.ino, { size: -1 }), 'EINVAL');
      });

      it('readlink: the target bytes; EINVAL for no symlink; ENOENT', (m) => {
        const target = Buffer.from([0x2f, 0xff, 0x00 + 0x41]);
        const s = m.mknod(ROOT_INO, B('s'), { kind: 'symlink', perm: 0o777, uid: 0, gid: 0, target, nowMs: T0 });
        assert.deepEqual(m.readlink(s.ino), target);
        assert.equal(m.lookup(ROOT_INO, B('s')).kind, 'symlink');
        fails(() => m.readlink(mk(m, ROOT_INO, 'f').ino), 'EINVAL');
        fails(() => m.readlink(999_999), 'ENOENT');
      });
    });

    describe('readdir', () => {
      it('lists in byte order with kinds, pages with after, ENOTDIR and ENOENT', (m) => {
        mk(m, ROOT_INO, 'b');
        mk(m, ROOT_INO, 'a', 'dir');
        mk(m, ROOT_INO, Buffer.from([0xc3, 0xa9]));
        mk(m, ROOT_INO, 'B');
        const all = m.readdir(ROOT_INO, null, 10);
        assert.deepEqual(all.map((e) => e.name), [B('B'), B('a'), B('b'), Buffer.from([0xc3, 0xa9])]);
        assert.deepEqual(all.map((e) => e.attr.kind), ['file', 'dir', 'file', 'file']);
        for (const e of all) assert.deepEqual(e.attr, m.getattr(e.attr.ino), 'attributes as getattr gives them');
        assert.deepEqual(m.readdir(ROOT_INO, B('a'), 1).map((e) => e.name.toString()), ['b']);
        assert.deepEqual(m.readdir(ROOT_INO, Buffer.from([0xc3, 0xa9]), 10), []);
        fails(() => m.readdir(m.lookup(ROOT_INO, B('b')).ino, null, 10), 'ENOTDIR');
        fails(() => m.readdir(999_999, null, 10), 'ENOENT');
      });

      it('pages through 10,000 entries, each once, in order', (m) => {
        const d = mk(m, ROOT_INO, 'big', 'dir');
        const count = 10_000;
        for (let i = 0; i < count; i++) mk(m, d.ino, `entry-${i}`);
        const seen: Buffer[] = [];
        let after: Buffer | null = null;
        for (;;) {
          const page = m.readdir(d.ino, after, 999);
          if (page.length === 0) break;
          assert.ok(page.length <= 999);
          seen.push(...page.map((e) => e.name));
          after = page[page.length - 1]!.name;
        }
        assert.equal(seen.length, count);
        for (let i = 1; i < seen.length; i++) assert.ok(Buffer.compare(seen[i - 1]!, seen[i]!) < 0);
        assert.equal(new Set(seen.map((n) => n.toString())).size, count);
      });
    });

    describe('chunks and objects', () => {
      it('a missing chunk is a hole; commitChunks points chunks at objects and raises the size', (m) => {
        const f = mk(m, ROOT_INO, 'f');
        assert.equal(m.getChunk(f.ino, 0), null);
        m.commitChunks(f.ino, [chunk(0, 1, CS), chunk(5, 2, 7)], 5 * CS + 7);
        assert.deepEqual(m.getChunk(f.ino, 5), chunk(5, 2, 7));
        assert.equal(m.getChunk(f.ino, 3), null);
        assert.deepEqual(m.getChunks(f.ino, 0, 10), [chunk(0, 1, CS), chunk(5, 2, 7)]);
        assert.deepEqual(m.getChunks(f.ino, 1, 5), []);
        assert.equal(m.getattr(f.ino).size, 5 * CS + 7);
        m.commitChunks(f.ino, [chunk(0, 3, CS)], 100);
        assert.equal(m.getattr(f.ino).size, 5 * CS + 7, 'sizeAtLeast never lowers the size');
        assert.deepEqual(m.statfs(), { files: 2, bytes: 5 * CS + 7, objects: 2, objectBytes: CS + 7 });
      });

      it('getChunk follows every change of the rows: commit, replace, zeroing, truncate, destroy', (m) => {
        const f = mk(m, ROOT_INO, 'f');
        // Each value is asked for before it changes too, so that a remembered answer would show.
        assert.equal(m.getChunk(f.ino, 0), null);
        assert.equal(m.getChunk(f.ino, 2), null);
        m.commitChunks(f.ino, [chunk(0, 1, CS), chunk(1, 2, CS), chunk(2, 3, CS)], 3 * CS);
        assert.deepEqual(m.getChunk(f.ino, 0), chunk(0, 1, CS));
        assert.deepEqual(m.getChunk(f.ino, 2), chunk(2, 3, CS));
        m.commitChunks(f.ino, [chunk(0, 4, CS)]);
        assert.deepEqual(m.getChunk(f.ino, 0), chunk(0, 4, CS), 'replaced');
        m.commitChunks(f.ino, [{ idx: 0, objectId: null }]);
        assert.equal(m.getChunk(f.ino, 0), null, 'zeroed');
        assert.throws(() => m.commitChunks(f.ino, [chunk(1, 5, CS), { idx: -1, objectId: null }]));
        assert.deepEqual(m.getChunk(f.ino, 1), chunk(1, 2, CS), 'a refused commit changes nothing');
        m.setattr(f.ino, { size: CS + 1 });
        assert.equal(m.getChunk(f.ino, 2), null, 'cut by the truncate');
        assert.deepEqual(m.getChunk(f.ino, 1), chunk(1, 2, CS), 'the boundary chunk stays');
        m.unlink(ROOT_INO, B('f'), T1);
        assert.deepEqual(m.getChunk(f.ino, 1), chunk(1, 2, CS), 'an unlinked inode keeps its data until destroyed');
        m.destroyInode(f.ino);
        assert.equal(m.getChunk(f.ino, 1), null, 'destroyed');
      });

      it('a replaced or zeroed chunk retires its object, deleted only after a later snapshot is uploaded', async (m) => {
        const f = mk(m, ROOT_INO, 'f');
        m.commitChunks(f.ino, [chunk(0, 1), chunk(1, 2)]);
        m.commitChunks(f.ino, [chunk(0, 3), { idx: 1, objectId: null }]);
        assert.deepEqual(m.getChunks(f.ino, 0, 10), [chunk(0, 3)]);
        assert.deepEqual(pendingIds(m), [], 'not due before any snapshot is uploaded');
        const s1 = await m.takeSnapshot();
        assert.deepEqual(pendingIds(m), [], 'taken is not uploaded');
        // Retired after snapshot s1 was taken: s1 may reference it.
        m.commitChunks(f.ino, [chunk(0, 4)]);
        m.snapshotUploaded(s1.seq);
        assert.equal(m.lastUploadedSnapshot(), s1.seq);
        assert.deepEqual(pendingIds(m), [oid(1), oid(2)]);
        assert.deepEqual(m.dueDeletions(1).length, 1);
        m.forgetDeletions([oid(1), oid(2)]);
        assert.deepEqual(pendingIds(m), []);
        const s2 = await m.takeSnapshot();
        assert.ok(s2.seq > s1.seq);
        assert.deepEqual(pendingIds(m), []);
        m.snapshotUploaded(s2.seq);
        assert.deepEqual(m.dueDeletions(10), [{ objectId: oid(3), size: 100 }]);
        m.snapshotUploaded(s1.seq);
        assert.equal(m.lastUploadedSnapshot(), s2.seq, 'the uploaded seq never goes back');
      });

      it('an object named by two chunks lives until both are gone', async (m) => {
        const f = mk(m, ROOT_INO, 'f');
        m.commitChunks(f.ino, [chunk(0, 1), chunk(1, 1)]);
        assert.equal(m.statfs().objects, 1);
        m.commitChunks(f.ino, [chunk(0, 2)]);
        await snapshotUploaded(m);
        assert.deepEqual(pendingIds(m), []);
        m.commitChunks(f.ino, [chunk(1, 3)]);
        await snapshotUploaded(m);
        assert.deepEqual(pendingIds(m), [oid(1)]);
      });

      it('recommitting the object a chunk already has changes nothing', async (m) => {
        const f = mk(m, ROOT_INO, 'f');
        m.commitChunks(f.ino, [chunk(0, 1)]);
        m.commitChunks(f.ino, [chunk(0, 1)]);
        await snapshotUploaded(m);
        assert.deepEqual(pendingIds(m), []);
        assert.deepEqual(m.getChunk(f.ino, 0), chunk(0, 1));
        assert.equal(m.statfs().objects, 1);
      });

      it('chunks committed for a destroyed inode are retired at once', (m) => {
        const f = mk(m, ROOT_INO, 'f');
        m.unlink(ROOT_INO, B('f'), T1);
        m.destroyInode(f.ino);
        m.commitChunks(f.ino, [chunk(0, 9)], 100);
        assert.deepEqual(pendingIds(m), [oid(9)]);
        fails(() => m.getattr(f.ino), 'ENOENT');
        assert.equal(m.statfs().objects, 0);
      });

      it('referencedObjects pages through the ids chunk rows name, ascending, each once', (m) => {
        const f = mk(m, ROOT_INO, 'f');
        const g = mk(m, ROOT_INO, 'g');
        m.commitChunks(f.ino, [chunk(0, 5), chunk(1, 3), chunk(2, 1)]);
        m.commitChunks(g.ino, [chunk(0, 4), chunk(1, 2), chunk(2, 5)]);
        const ids: string[] = [];
        let after: string | null = null;
        for (;;) {
          const page = m.referencedObjects(after, 2);
          if (page.length === 0) break;
          assert.ok(page.length <= 2);
          ids.push(...page.map((p) => p.objectId));
          assert.ok(page.every((p) => p.size === 100));
          after = page[page.length - 1]!.objectId;
        }
        assert.deepEqual(ids, [1, 2, 3, 4, 5].map(oid));
      });

      it('rejects a bad chunk index with EINVAL and commits nothing', (m) => {
        const f = mk(m, ROOT_INO, 'f');
        fails(() => m.commitChunks(f.ino, [chunk(0, 1), chunk(-1, 2)]), 'EINVAL');
        assert.equal(m.getChunk(f.ino, 0), null);
      });
    });

    describe('destroyInode and orphans', () => {
      it('destroys an unlinked file: chunks retired, xattrs and row gone; idempotent', async (m) => {
        const f = mk(m, ROOT_INO, 'f');
        m.commitChunks(f.ino, [chunk(0, 1), chunk(1, 2)], 200);
        m.setxattr(f.ino, 'user.a', B('1'));
        fails(() => m.destroyInode(f.ino), 'EBUSY');
        m.unlink(ROOT_INO, B('f'), T1);
        assert.deepEqual(m.orphanInodes(), [f.ino]);
        m.destroyInode(f.ino);
        m.destroyInode(f.ino);
        fails(() => m.getattr(f.ino), 'ENOENT');
        fails(() => m.getxattr(f.ino, 'user.a'), 'ENOENT');
        assert.deepEqual(m.getChunks(f.ino, 0, 10), []);
        assert.deepEqual(m.orphanInodes(), []);
        await snapshotUploaded(m);
        assert.deepEqual(pendingIds(m), [oid(1), oid(2)]);
        assert.deepEqual(m.statfs(), { files: 1, bytes: 0, objects: 0, objectBytes: 0 });
      });

      it('destroys an unlinked symlink', (m) => {
        const s = m.mknod(ROOT_INO, B('s'), { kind: 'symlink', perm: 0o777, uid: 0, gid: 0, target: B('t'), nowMs: T0 });
        m.unlink(ROOT_INO, B('s'), T1);
        m.destroyInode(s.ino);
        fails(() => m.readlink(s.ino), 'ENOENT');
      });

      it('a new inode never reuses the number of a destroyed one', (m) => {
        const f = mk(m, ROOT_INO, 'f');
        m.unlink(ROOT_INO, B('f'), T1);
        m.destroyInode(f.ino);
        assert.ok(mk(m, ROOT_INO, 'g').ino > f.ino);
      });
    });

    describe('xattrs', () => {
      it('set, get, list, replace, remove; ctime follows', (m) => {
        const f = mk(m, ROOT_INO, 'f');
        m.setxattr(f.ino, 'user.b', B('2'));
        m.setxattr(f.ino, 'user.a', Buffer.from([0, 1, 2]), 'create');
        assert.ok(m.getattr(f.ino).ctimeMs > T0);
        assert.deepEqual(m.getxattr(f.ino, 'user.a'), Buffer.from([0, 1, 2]));
        assert.deepEqual(m.listxattr(f.ino), ['user.a', 'user.b']);
        m.setxattr(f.ino, 'user.a', B('x'), 'replace');
        assert.deepEqual(m.getxattr(f.ino, 'user.a'), B('x'));
        m.setxattr(f.ino, 'user.e', Buffer.alloc(0));
        assert.deepEqual(m.getxattr(f.ino, 'user.e'), Buffer.alloc(0));
        m.removexattr(f.ino, 'user.a');
        assert.deepEqual(m.listxattr(f.ino), ['user.b', 'user.e']);
      });

      it('fails with ENODATA, EEXIST, ENOENT, ERANGE, E2BIG', (m) => {
        const f = mk(m, ROOT_INO, 'f');
        m.setxattr(f.ino, 'user.a', B('1'));
        fails(() => m.getxattr(f.ino, 'user.none'), 'ENODATA');
        fails(() => m.removexattr(f.ino, 'user.none'), 'ENODATA');
        fails(() => m.setxattr(f.ino, 'user.none', B('1'), 'replace'), 'ENODATA');
        fails(() => m.setxattr(f.ino, 'user.a', B('2'), 'create'), 'EEXIST');
        assert.deepEqual(m.getxattr(f.ino, 'user.a'), B('1'));
        fails(() => m.getxattr(999_999, 'user.a'), 'ENOENT');
        fails(() => m.setxattr(999_999, 'user.a', B('1')), 'ENOENT');
        fails(() => m.listxattr(999_999), 'ENOENT');
        fails(() => m.setxattr(f.ino, 'u'.repeat(256), B('1')), 'ERANGE');
        fails(() => m.setxattr(f.ino, '', B('1')), 'ERANGE');
        fails(() => m.setxattr(f.ino, 'user.big', Buffer.alloc(65537)), 'E2BIG');
        m.setxattr(f.ino, 'user.max', Buffer.alloc(65536));
      });
    });

    describe('statfs, settings, snapshots', () => {
      it('statfs sums inodes, file sizes and live objects', (m) => {
        const f = mk(m, ROOT_INO, 'f');
        const g = mk(m, ROOT_INO, 'g');
        mk(m, ROOT_INO, 'd', 'dir');
        m.commitChunks(f.ino, [chunk(0, 1, 10)], 10);
        m.commitChunks(g.ino, [chunk(0, 2, 20), chunk(1, 3, 30)], 50);
        m.setattr(g.ino, { size: 2 * CS });
        assert.deepEqual(m.statfs(), { files: 4, bytes: 2 * CS + 10, objects: 3, objectBytes: 60 });
      });

      it('settings: null when missing, set, overwrite', (m) => {
        assert.equal(m.getSetting('test.k'), null);
        m.setSetting('test.k', 'v1');
        m.setSetting('test.k', 'v2');
        assert.equal(m.getSetting('test.k'), 'v2');
      });

      it('changedSinceSnapshot: true until a snapshot is taken AND recorded uploaded; failed writes and reads are no change', async (m) => {
        assert.equal(m.lastUploadedSnapshot(), 0);
        assert.equal(m.changedSinceSnapshot(), true, 'a fresh filesystem was never snapshotted');
        const s1 = await m.takeSnapshot();
        assert.ok(s1.seq >= 1);
        assert.ok(s1.db.length > 0);
        assert.equal(m.changedSinceSnapshot(), true, 'taken but not uploaded: still to do');
        m.snapshotUploaded(s1.seq);
        assert.equal(m.changedSinceSnapshot(), false);
        fails(() => m.rmdir(ROOT_INO, B('nope'), T1), 'ENOENT');
        fails(() => mk(m, ROOT_INO, '..'), 'EEXIST');
        m.getattr(ROOT_INO);
        m.readdir(ROOT_INO, null, 10);
        assert.equal(m.changedSinceSnapshot(), false, 'a failed write or a read is no change');
        mk(m, ROOT_INO, 'f');
        assert.equal(m.changedSinceSnapshot(), true);
        const s2 = await m.takeSnapshot();
        assert.equal(s2.seq, s1.seq + 1);
        const s3 = await m.takeSnapshot();
        assert.equal(s3.seq, s2.seq + 1, 'a snapshot whose upload failed is simply superseded');
        m.snapshotUploaded(s3.seq);
        assert.equal(m.changedSinceSnapshot(), false);
        m.setSetting('test.k', 'v');
        assert.equal(m.changedSinceSnapshot(), true, 'settings are part of the snapshot');
      });
    });
  });
}
