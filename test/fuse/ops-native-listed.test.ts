import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ListedBinding } from '../../src/fuse/native-listed.js';
import { createOps } from '../../src/fuse/ops.js';
import { openFixture } from '../helpers/fs-fixture.js';

type Cb = (code: number, ...values: unknown[]) => void;

function call(fn: (cb: Cb) => void): Promise<unknown[]> {
  return new Promise((resolve) => fn((...answer) => resolve(answer)));
}

/** Stands in for the addon: records what the op table hands it. */
class RecordingBinding implements ListedBinding {
  fills: { paths: string[]; stats: Uint32Array; count: number; maxAgeMs: number }[] = [];
  clears = 0;
  chunkfs_listed_fill(paths: Buffer, stats: Buffer, count: number, maxAgeMs: number): void {
    const names: string[] = [];
    for (let at = 0; at < paths.length; ) {
      const nul = paths.indexOf(0, at);
      names.push(paths.subarray(at, nul).toString('latin1'));
      at = nul + 1;
    }
    this.fills.push({ paths: names, stats: new Uint32Array(stats.buffer, stats.byteOffset, stats.length / 4), count, maxAgeMs });
  }
  chunkfs_listed_clear(): void {
    this.clears++;
  }
  chunkfs_listed_answered(): number {
    return 7;
  }
}

const ints = (stat: Record<string, number>) => [
  stat.mode,
  stat.uid,
  stat.gid,
  stat.size % 2 ** 32,
  Math.floor(stat.size / 2 ** 32),
  0,
  stat.nlink,
  stat.ino,
  stat.rdev,
  stat.blksize,
  stat.blocks,
  0,
  stat.atime % 2 ** 32,
  Math.floor(stat.atime / 2 ** 32),
  stat.mtime % 2 ** 32,
  Math.floor(stat.mtime / 2 ** 32),
  stat.ctime % 2 ** 32,
  Math.floor(stat.ctime / 2 ** 32),
];

test('a listing hands the addon raw names and the stat records getattr answers with', async (t) => {
  const f = await openFixture(t);
  const binding = new RecordingBinding();
  const { ops } = createOps({ vfs: f.vfs, present: { uid: 1000, gid: 1000 }, readOnly: false, log: () => {}, attrTimeoutMs: 5000, listedBinding: binding });
  assert.equal((await call((cb) => ops.mkdir('/d', 0o755, cb)))[0], 0);
  const big = Buffer.from('/d/big');
  const [, fd] = await call((cb) => ops.create('/d/big', 0o640, cb));
  assert.equal((await call((cb) => ops.ftruncate('/d/big', fd as number, 5 * 2 ** 32 + 3, cb)))[0], 0);
  assert.equal((await call((cb) => ops.release('/d/big', fd as number, cb)))[0], 0);
  // A name that is not UTF-8 is handed over as the kernel will ask for it.
  const d = await f.vfs.lookup(1, Buffer.from('d'));
  await f.vfs.mknod(d.ino, Buffer.from([0x6e, 0xff]), 0o100600, 0, { uid: 1000, gid: 1000 });

  const [code, names] = await call((cb) => ops.readdir('/d', cb));
  assert.equal(code, 0);
  assert.deepEqual([...(names as string[])].sort(), ['.', '..', 'big', 'n\ufffd']);
  assert.equal(binding.fills.length, 1);
  const fill = binding.fills[0]!;
  assert.equal(fill.maxAgeMs, 1000, 'at most a second, like the JavaScript table');
  assert.equal(fill.count, 2);
  assert.deepEqual([...fill.paths].sort(), [big.toString('latin1'), Buffer.from([0x2f, 0x64, 0x2f, 0x6e, 0xff]).toString('latin1')]);
  const at = fill.paths.indexOf('/d/big');
  const [, st] = await call((cb) => ops.getattr('/d/big', cb));
  assert.deepEqual([...fill.stats.subarray(at * 18, at * 18 + 18)], ints(st as Record<string, number>));
  assert.equal((st as { size: number }).size, 5 * 2 ** 32 + 3);
});

test('the addon table is cleared when a change begins, and a listing read across a change is not handed over', async (t) => {
  const f = await openFixture(t);
  const binding = new RecordingBinding();
  const { ops, counters } = createOps({ vfs: f.vfs, present: {}, readOnly: false, log: () => {}, attrTimeoutMs: 1000, listedBinding: binding });
  const [, fd] = await call((cb) => ops.create('/f', 0o644, cb));
  assert.equal((await call((cb) => ops.release('/f', fd as number, cb)))[0], 0);
  const clearsBefore = binding.clears;

  await call((cb) => ops.readdir('/', cb));
  assert.equal(binding.fills.length, 1);
  await call((cb) => ops.getattr('/f', cb));
  await call((cb) => ops.readdir('/', cb));
  assert.equal(binding.clears, clearsBefore, 'lookups and listings change nothing');

  await call((cb) => ops.chmod('/f', 0o600, cb));
  assert.equal(binding.clears, clearsBefore + 1, 'a change clears the table');
  await call((cb) => ops.chmod('/f', 0o640, cb));
  assert.equal(binding.clears, clearsBefore + 1, 'an empty table is not cleared again');

  // The chmod begins while the listing is being read: its attributes may be old.
  const listing = call((cb) => ops.readdir('/', cb));
  const chmod = call((cb) => ops.chmod('/f', 0o444, cb));
  assert.equal((await listing)[0], 0);
  assert.equal((await chmod)[0], 0);
  assert.equal(binding.fills.length, 2, 'not handed over');

  assert.deepEqual(counters.timing['getattr-listed'], { count: 0, ms: 0 }, 'answers counted from when the op table was made');
});
