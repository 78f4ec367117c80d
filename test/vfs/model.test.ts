import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { ROOT_INO } from '../../src/metadata/types.js';
import { seededRandom } from '../../src/store/fault.js';
import { O_APPEND, O_CREAT, O_EXCL, O_RDONLY, O_RDWR } from '../../src/vfs/flags.js';
import type { Vfs } from '../../src/vfs/types.js';
import { ME, openFixture, type FsFixture } from '../helpers/fs-fixture.js';

/**
 * Model-based random test: thousands of random operations applied to the vfs and to an
 * in-memory model (names -> inode -> bytes), compared after every read and in full every
 * CHECK_EVERY steps and after every remount. Seeded: the seed is printed, and
 * CHUNKFS_SEED=<seed> replays the same run (CHUNKFS_MODEL_STEPS changes its length).
 */
const MiB = 1024 * 1024;
const STEPS = Number(process.env.CHUNKFS_MODEL_STEPS ?? 3000);
const CHECK_EVERY = 100;
const MAX_SIZE = 3 * MiB + MiB / 2;
const DIRS = ['', 'd1', 'd2'];
const NAMES = ['a', 'b', 'c', 'd', 'e'];

type Mode = 'rw' | 'ro' | 'append';
interface ModelHandle {
  fh: number;
  ino: number;
  mode: Mode;
}

class Model {
  /** Directory -> name -> ino. */
  readonly tree = new Map<string, Map<string, number>>(DIRS.map((d) => [d, new Map()]));
  /** ino -> bytes (length is the size). */
  readonly files = new Map<number, Buffer>();
  handles: ModelHandle[] = [];

  links(ino: number): number {
    let count = 0;
    for (const names of this.tree.values()) for (const i of names.values()) if (i === ino) count++;
    return count;
  }

  /** Drops an inode with no name and no handle, as the filesystem must. */
  collect(ino: number): void {
    if (this.links(ino) === 0 && !this.handles.some((h) => h.ino === ino)) this.files.delete(ino);
  }

  write(ino: number, at: number, data: Buffer): void {
    const old = this.files.get(ino)!;
    const size = Math.max(old.length, at + data.length);
    const next = size === old.length ? old : Buffer.concat([old, Buffer.alloc(size - old.length)]);
    data.copy(next, at);
    this.files.set(ino, next);
  }

  truncate(ino: number, size: number): void {
    const old = this.files.get(ino)!;
    this.files.set(ino, size <= old.length ? Buffer.from(old.subarray(0, size)) : Buffer.concat([old, Buffer.alloc(size - old.length)]));
  }

  names(): [string, string, number][] {
    const out: [string, string, number][] = [];
    for (const [dir, names] of this.tree) for (const [name, ino] of names) out.push([dir, name, ino]);
    return out;
  }
}

test('model-based random operations: the vfs agrees with an in-memory model on tree and contents', async (t) => {
  await runModel(t, STEPS, false);
});

test('model-based random operations in writeback mode', async (t) => {
  await runModel(t, Math.ceil(STEPS / 3), true);
});

async function runModel(t: TestContext, steps: number, writeback: boolean): Promise<void> {
  const seed = Number(process.env.CHUNKFS_SEED ?? randomInt(2 ** 31));
  const banner = `model test seed ${seed}${writeback ? ' (writeback)' : ''} (rerun: CHUNKFS_SEED=${seed} node --test dist/test/vfs/model.test.js)`;
  console.log(banner);
  t.diagnostic(banner);
  const rnd = seededRandom(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: T[]): T => xs[int(xs.length)]!;

  const fx = await openFixture(t, { writeback });
  const model = new Model();
  const dirIno = new Map<string, number>([['', ROOT_INO]]);
  for (const d of DIRS.slice(1)) dirIno.set(d, (await fx.vfs.mkdir(ROOT_INO, Buffer.from(d), 0o755, ME)).ino);
  const log: string[] = [];
  const note = (s: string) => {
    log.push(s);
    if (log.length > 40) log.shift();
  };

  /** Bytes from the seeded generator, cheap to make: a random affine pattern. */
  const bytes = (len: number): Buffer => {
    const b = Buffer.alloc(len);
    const base = int(256);
    const step = 1 + 2 * int(120);
    for (let i = 0; i < len; i++) b[i] = (base + i * step + (i >>> 9)) & 0xff;
    return b;
  };
  const offset = (): number => {
    const r = rnd();
    if (r < 0.3) return Math.max(0, (1 + int(3)) * MiB - int(4096)); // around a chunk boundary
    if (r < 0.4) return 0;
    return int(MAX_SIZE - 64 * 1024);
  };
  const length = (): number => (rnd() < 0.1 ? 1 + int(MiB + MiB / 4) : 1 + int(128 * 1024));
  const name = (): [string, string] => [pick(DIRS), pick(NAMES)];
  const existing = (): [string, string, number] | undefined => {
    const all = model.names();
    return all.length ? pick(all) : undefined;
  };
  const vfs = (): Vfs => fx.vfs;

  const openHandle = async (ino: number, mode: Mode): Promise<void> => {
    const flags = mode === 'ro' ? O_RDONLY : mode === 'append' ? O_RDWR | O_APPEND : O_RDWR;
    model.handles.push({ fh: await vfs().open(ino, flags), ino, mode });
  };
  const release = async (h: ModelHandle): Promise<void> => {
    await vfs().release(h.fh);
    model.handles = model.handles.filter((x) => x !== h);
    model.collect(h.ino);
  };

  const ops: [number, string, () => Promise<void>][] = [
    [10, 'create', async () => {
      const [dir, nm] = name();
      const exists = model.tree.get(dir)!.has(nm);
      note(`create ${dir}/${nm}${exists ? ' (exists: EEXIST)' : ''}`);
      if (exists) {
        await assert.rejects(vfs().create(dirIno.get(dir)!, Buffer.from(nm), 0o644, O_RDWR | O_CREAT | O_EXCL, ME), { errno: 'EEXIST' });
        return;
      }
      const { attr, fh } = await vfs().create(dirIno.get(dir)!, Buffer.from(nm), 0o644, O_RDWR | O_CREAT | O_EXCL, ME);
      model.tree.get(dir)!.set(nm, attr.ino);
      model.files.set(attr.ino, Buffer.alloc(0));
      model.handles.push({ fh, ino: attr.ino, mode: 'rw' });
    }],
    [8, 'open', async () => {
      const e = existing();
      if (!e || model.handles.length >= 8) return;
      const mode = pick<Mode>(['rw', 'rw', 'ro', 'append']);
      note(`open ${e[0]}/${e[1]} ${mode}`);
      await openHandle(e[2], mode);
    }],
    [25, 'write', async () => {
      if (model.handles.length === 0) return;
      const h = pick(model.handles);
      const at = offset();
      const data = bytes(length());
      note(`write fh ${h.fh} (${h.mode}) at ${at} len ${data.length}`);
      if (h.mode === 'ro') {
        await assert.rejects(vfs().write(h.fh, at, data), { errno: 'EBADF' });
        return;
      }
      const where = h.mode === 'append' ? model.files.get(h.ino)!.length : at;
      assert.equal(await vfs().write(h.fh, at, data), data.length);
      model.write(h.ino, where, data);
    }],
    [8, 'truncate', async () => {
      const size = rnd() < 0.2 ? 0 : int(MAX_SIZE);
      if (rnd() < 0.5 && model.handles.some((h) => h.mode !== 'ro')) {
        const h = pick(model.handles.filter((x) => x.mode !== 'ro'));
        note(`ftruncate fh ${h.fh} to ${size}`);
        await vfs().setattr(h.ino, { size }, ME, h.fh);
        model.truncate(h.ino, size);
      } else {
        const e = existing();
        if (!e) return;
        note(`truncate ${e[0]}/${e[1]} to ${size}`);
        await vfs().setattr(e[2], { size }, ME);
        model.truncate(e[2], size);
      }
    }],
    [8, 'rename', async () => {
      const e = existing();
      if (!e) return;
      const [dir, nm] = name();
      const target = model.tree.get(dir)!.get(nm);
      const noreplace = rnd() < 0.2;
      note(`rename ${e[0]}/${e[1]} -> ${dir}/${nm}${noreplace ? ' noreplace' : ''}`);
      const call = () => vfs().rename(dirIno.get(e[0])!, Buffer.from(e[1]), dirIno.get(dir)!, Buffer.from(nm), { noreplace });
      if (noreplace && target !== undefined) {
        await assert.rejects(call(), { errno: 'EEXIST' });
        return;
      }
      await call();
      if (target === e[2]) return; // two names of one inode (or the same name): nothing happens
      model.tree.get(e[0])!.delete(e[1]);
      model.tree.get(dir)!.set(nm, e[2]);
      if (target !== undefined) model.collect(target);
    }],
    [5, 'link', async () => {
      const e = existing();
      if (!e) return;
      const [dir, nm] = name();
      note(`link ${e[0]}/${e[1]} -> ${dir}/${nm}`);
      if (model.tree.get(dir)!.has(nm)) {
        await assert.rejects(vfs().link(e[2], dirIno.get(dir)!, Buffer.from(nm)), { errno: 'EEXIST' });
        return;
      }
      const attr = await vfs().link(e[2], dirIno.get(dir)!, Buffer.from(nm));
      model.tree.get(dir)!.set(nm, e[2]);
      assert.equal(attr.nlink, model.links(e[2]));
    }],
    [6, 'unlink', async () => {
      const e = existing();
      if (!e) return;
      note(`unlink ${e[0]}/${e[1]}`);
      await vfs().unlink(dirIno.get(e[0])!, Buffer.from(e[1]));
      model.tree.get(e[0])!.delete(e[1]);
      model.collect(e[2]);
    }],
    [5, 'fsync', async () => {
      if (model.handles.length === 0) return;
      const h = pick(model.handles);
      note(`fsync fh ${h.fh}`);
      await vfs().fsync(h.fh, false);
    }],
    [3, 'flush', async () => {
      if (model.handles.length === 0) return;
      const h = pick(model.handles);
      note(`flush fh ${h.fh}`);
      await vfs().flush(h.fh);
    }],
    [8, 'release', async () => {
      if (model.handles.length === 0) return;
      const h = pick(model.handles);
      note(`release fh ${h.fh}`);
      await release(h);
    }],
    [15, 'read', async () => {
      const readable = model.handles.filter((h) => h.mode !== 'ro' || true);
      if (readable.length === 0) return;
      const h = pick(readable);
      const at = rnd() < 0.2 ? 0 : int(MAX_SIZE);
      const len = length();
      note(`read fh ${h.fh} at ${at} len ${len}`);
      const want = model.files.get(h.ino)!.subarray(at, at + len);
      const got = await vfs().read(h.fh, at, len);
      if (!got.equals(want)) assert.fail(`read of ino ${h.ino} at ${at} len ${len}: ${describeDiff(got, want)}`);
      assert.equal((await vfs().getattr(h.ino)).size, model.files.get(h.ino)!.length, 'size of the open inode');
    }],
    [1, 'remount', async () => {
      note('remount');
      await fx.reopen();
      const open = model.handles;
      model.handles = [];
      for (const h of open) model.collect(h.ino);
      await fullCheck(fx, model, dirIno);
    }],
  ];
  const total = ops.reduce((s, [w]) => s + w, 0);

  try {
    for (let step = 1; step <= steps; step++) {
      let r = int(total);
      const op = ops.find(([w]) => (r -= w) < 0)!;
      note(`#${step}`);
      await op[2]();
      if (step % CHECK_EVERY === 0) await fullCheck(fx, model, dirIno);
    }
    for (const h of [...model.handles]) await release(h);
    await fullCheck(fx, model, dirIno);
    await fx.reopen();
    await fullCheck(fx, model, dirIno);
  } catch (err) {
    console.log(`${banner}\nlast operations:\n  ${log.join('\n  ')}`);
    throw err;
  }
}

function describeDiff(got: Buffer, want: Buffer): string {
  let i = 0;
  while (i < Math.min(got.length, want.length) && got[i] === want[i]) i++;
  return `got ${got.length} bytes, want ${want.length}; first difference at ${i} (got ${got[i]}, want ${want[i]})`;
}

/** Tree (names, inode numbers, link counts, sizes) and every file's contents agree with the model. */
async function fullCheck(fx: FsFixture, model: Model, dirIno: Map<string, number>): Promise<void> {
  for (const [dir, names] of model.tree) {
    const entries = (await fx.vfs.readdir(dirIno.get(dir)!, 2, 1000)).filter((e) => e.attr.kind === 'file');
    const got = entries.map((e) => `${e.name.toString()}=${e.attr.ino}`).sort();
    const want = [...names].map(([nm, ino]) => `${nm}=${ino}`).sort();
    assert.deepEqual(got, want, `entries of /${dir}`);
    for (const e of entries) {
      const data = model.files.get(e.attr.ino)!;
      assert.equal(e.attr.size, data.length, `size of /${dir}/${e.name.toString()}`);
      assert.equal(e.attr.nlink, model.links(e.attr.ino), `nlink of /${dir}/${e.name.toString()}`);
      const fh = await fx.vfs.open(e.attr.ino, O_RDONLY);
      const content = await fx.vfs.read(fh, 0, data.length + 10);
      await fx.vfs.release(fh);
      if (!content.equals(data)) assert.fail(`contents of /${dir}/${e.name.toString()}: ${describeDiff(content, data)}`);
    }
  }
  // Inodes the model has dropped are gone from the filesystem too.
  for (const h of model.handles) assert.ok(model.files.has(h.ino));
}
