import { FsError } from '../errors.js';
import type { Attr, Caller, Vfs } from '../vfs/types.js';
import { toFuseStat, toFuseStatfs } from './attr.js';
import { ErrnoMapper } from './errno.js';
import { HandleTable } from './handles.js';
import { HotLoop } from './hot-loop.js';
import { ListedAttrs } from './listed-attrs.js';
import { NativeListedAttrs, type ListedBinding } from './native-listed.js';
import type { Presentation } from './options.js';
import { PathCache } from './paths.js';
import { utimeArg } from './utime.js';

type Cb = (code: number, ...values: unknown[]) => void;

/** Counters of what the kernel asked for; the write sizes show whether big_writes took. */
export interface FuseCounters {
  ops: number;
  errors: number;
  reads: number;
  readBytes: number;
  writes: number;
  writeBytes: number;
  largestWrite: number;
  /** Per operation name: how many were answered and the milliseconds they took in all. */
  timing: Record<string, { count: number; ms: number }>;
}

export interface OpsContext {
  vfs: Vfs;
  present: Presentation;
  readOnly: boolean;
  log: (line: string) => void;
  /** The kernel's attribute cache time: how long a listing's attributes may answer lookups. */
  attrTimeoutMs?: number;
  /** The addon's table of listed attributes (`loadListedBinding`); without it JavaScript answers. */
  listedBinding?: ListedBinding | null;
}

/** How long the loop keeps turning after a lookup answered from a listing (see HotLoop): a few round trips. */
const HOT_LOOP_MS = 0.25;

/** Operations that change no attributes: the only ones that keep a listing's attributes usable. */
const READ_ONLY_OPS = new Set(['getattr', 'fgetattr', 'access', 'opendir', 'readdir', 'releasedir', 'read', 'readlink', 'getxattr', 'listxattr', 'statfs']);

const O_RDWR = 0o2;
const O_CREAT = 0o100;
const W_OK = 2;
/** chown(2) leaves an id unchanged when given -1, which arrives as a 32-bit unsigned. */
const UNCHANGED_ID = 0xffffffff;
const READDIR_PAGE = 1024;

/**
 * The fuse-native op table over a Vfs: one place, each handler translating its arguments,
 * calling the vfs and answering with a value or a negated errno. Every operation is
 * answered exactly once, also when the vfs throws synchronously.
 */
export function createOps(ctx: OpsContext) {
  const { vfs, present } = ctx;
  const paths = new PathCache(vfs);
  const listedAgeMs = Math.min(ctx.attrTimeoutMs ?? 0, 1000);
  const listed = new ListedAttrs(listedAgeMs);
  const nativeListed = ctx.listedBinding ? new NativeListedAttrs(ctx.listedBinding, listedAgeMs) : null;
  /** Operations begun that may change attributes: a listing read across one is not kept. */
  let changes = 0;
  const handles = new HandleTable();
  const errnos = new ErrnoMapper(ctx.log);
  const hot = new HotLoop(HOT_LOOP_MS);
  const counters: FuseCounters = { ops: 0, errors: 0, reads: 0, readBytes: 0, writes: 0, writeBytes: 0, largestWrite: 0, timing: {} };
  const caller: Caller = { uid: present.uid ?? process.getuid?.() ?? 0, gid: present.gid ?? process.getgid?.() ?? 0 };
  const stat = (a: Parameters<typeof toFuseStat>[0]) => toFuseStat(a, present);
  if (nativeListed) {
    const base = nativeListed.answered();
    // Answered in libfuse's thread, so they have no time on the JavaScript side.
    Object.defineProperty(counters.timing, 'getattr-listed', { enumerable: true, get: () => ({ count: nativeListed.answered() - base, ms: 0 }) });
  }

  /**
   * Counts an operation as it starts (one that may change attributes drops the last
   * listing's); the returned call adds its time to its line once it is answered. The op
   * name is the context's first word.
   */
  function begin(context: string): () => void {
    counters.ops++;
    const space = context.indexOf(' ');
    const op = space < 0 ? context : context.slice(0, space);
    if (!READ_ONLY_OPS.has(op)) {
      changes++;
      listed.clear();
      nativeListed?.clear();
    }
    const started = performance.now();
    return () => {
      const line = (counters.timing[op] ??= { count: 0, ms: 0 });
      line.count++;
      line.ms += performance.now() - started;
    };
  }

  /** Runs `fn` and answers `cb` with 0 and its values, or with the errno of its failure. */
  function answer(cb: Cb, context: string, fn: () => Promise<unknown[] | void>): void {
    const done = begin(context);
    let p: Promise<unknown[] | void>;
    try {
      p = fn();
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      (values) => {
        done();
        cb(0, ...(values ?? []));
      },
      (err) => {
        done();
        counters.errors++;
        cb(errnos.toErrno(err, context));
      },
    );
  }

  /**
   * Answers `cb` at once with `fn()`'s value, for answers that need no waiting: with 0 and
   * the value, or (`isCount`, for read) with the value alone. `fn` must not throw.
   */
  function answerNow(cb: Cb, op: string, fn: () => unknown, isCount = false): void {
    const done = begin(op);
    const value = fn();
    done();
    if (isCount) cb(value as number);
    else cb(0, value);
  }

  /** For read and write, which answer with a byte count instead of 0. */
  function answerCount(cb: Cb, context: string, fn: () => Promise<number>): void {
    const done = begin(context);
    fn().then(
      (n) => {
        done();
        cb(n);
      },
      (err) => {
        done();
        counters.errors++;
        cb(errnos.toErrno(err, context));
      },
    );
  }

  const ops = {
    init: (cb: Cb) => cb(0),
    statfs: (_path: string, cb: Cb) => answer(cb, 'statfs', async () => [toFuseStatfs(await vfs.statfs())]),
    getattr: (path: string, cb: Cb) => {
      // `ls -l` asks for each entry right after the listing: answered at once, without the
      // promise turns, as a cached read is.
      const fromListing = listed.take(path);
      if (fromListing) {
        answerNow(cb, 'getattr', () => stat(fromListing));
        // The listing's other names are about to be asked for, one after another.
        hot.touch();
        return;
      }
      answer(cb, `getattr ${path}`, async () => {
        const { ino, attr } = await paths.resolveWithAttr(path);
        return [stat(attr ?? (await vfs.getattr(ino)))];
      });
    },
    fgetattr: (path: string, fd: number, cb: Cb) =>
      answer(cb, `fgetattr ${path}`, async () => [stat(await vfs.getattr(handles.get(fd).ino))]),
    access: (path: string, mode: number, cb: Cb) =>
      answer(cb, `access ${path}`, async () => {
        const ino = await paths.resolve(path);
        if (ctx.readOnly && mode & W_OK) throw new FsError('EROFS');
        await vfs.access(ino, mode, caller);
      }),
    opendir: (path: string, _flags: number, cb: Cb) =>
      answer(cb, `opendir ${path}`, async () => {
        const attr = await vfs.getattr(await paths.resolve(path));
        if (attr.kind !== 'dir') throw new FsError('ENOTDIR');
        return [0];
      }),
    releasedir: (_path: string, _fd: number, cb: Cb) => cb(0),
    fsyncdir: (path: string, _datasync: number, _fd: number, cb: Cb) =>
      answer(cb, `fsyncdir ${path}`, async () => vfs.fsyncdir(await paths.resolve(path))),
    readdir: (path: string, cb: Cb) =>
      answer(cb, `readdir ${path}`, async () => {
        const changesBefore = changes;
        const namesBefore = paths.mark;
        const ino = await paths.resolve(path);
        const names: string[] = [];
        const stats: ReturnType<typeof stat>[] = [];
        // One entry serves the path cache and either table of listed attributes.
        const entries: { name: string; raw: Buffer; attr: Attr; stat: ReturnType<typeof stat> }[] = [];
        for (let offset = 0; ; ) {
          const page = await vfs.readdir(ino, offset, READDIR_PAGE);
          for (const e of page) {
            const name = e.name.toString('utf8');
            const st = stat(e.attr);
            names.push(name);
            stats.push(st);
            entries.push({ name, raw: e.name, attr: e.attr, stat: st });
          }
          offset += page.length;
          if (page.length < READDIR_PAGE) break;
        }
        paths.addListing(path, entries, namesBefore);
        // Attributes read across a change may already be old: not kept for the lookups.
        if (changes === changesBefore) {
          if (nativeListed) nativeListed.fill(path, entries);
          else listed.fill(path, entries);
        }
        return [names, stats];
      }),
    open: (path: string, flags: number, cb: Cb) =>
      answer(cb, `open ${path}`, async () => {
        const ino = await paths.resolve(path);
        return [handles.add(await vfs.open(ino, flags), ino)];
      }),
    create: (path: string, mode: number, cb: Cb) =>
      answer(cb, `create ${path}`, async () => {
        const { parent, name } = await paths.resolveParent(path);
        // fuse-native does not pass create's open flags; the kernel checks access modes itself.
        const { attr, fh } = await vfs.create(parent, name, mode & 0o7777, O_RDWR | O_CREAT, caller);
        paths.added(path, attr.ino, false);
        return [handles.add(fh, attr.ino)];
      }),
    read: (path: string, fd: number, buf: Buffer, len: number, pos: number, cb: Cb) => {
      const deliver = (data: Buffer): number => {
        counters.reads++;
        counters.readBytes += data.length;
        return data.copy(buf, 0, 0, Math.min(len, data.length));
      };
      // A sequential reader's bytes are usually in memory already: answering at once skips
      // the promise turns, a fifth of the time of such a read (measured on a file store).
      const h = handles.find(fd);
      const cached = h && vfs.readCached(h.fh, pos, len);
      if (cached) return answerNow(cb, 'read', () => deliver(cached), true);
      answerCount(cb, `read ${path}`, async () => deliver(await vfs.read(handles.get(fd).fh, pos, len)));
    },
    write: (path: string, fd: number, buf: Buffer, len: number, pos: number, cb: Cb) =>
      answerCount(cb, `write ${path}`, async () => {
        counters.writes++;
        counters.writeBytes += len;
        if (len > counters.largestWrite) counters.largestWrite = len;
        // The buffer is libfuse's and is reused once we answer. No copy is needed: the vfs
        // copies the bytes into its chunk before its write resolves (Vfs.write's contract).
        return vfs.write(handles.get(fd).fh, pos, buf.subarray(0, len));
      }),
    flush: (path: string, fd: number, cb: Cb) => answer(cb, `flush ${path}`, () => vfs.flush(handles.get(fd).fh)),
    fsync: (path: string, datasync: number, fd: number, cb: Cb) =>
      answer(cb, `fsync ${path}`, () => vfs.fsync(handles.get(fd).fh, datasync !== 0)),
    release: (path: string, fd: number, cb: Cb) =>
      answer(cb, `release ${path}`, async () => {
        const { fh } = handles.get(fd);
        handles.delete(fd);
        await vfs.release(fh);
      }),
    truncate: (path: string, size: number, cb: Cb) =>
      answer(cb, `truncate ${path}`, async () => void (await vfs.setattr(await paths.resolve(path), { size }, caller))),
    ftruncate: (path: string, fd: number, size: number, cb: Cb) =>
      answer(cb, `ftruncate ${path}`, async () => {
        const h = handles.get(fd);
        await vfs.setattr(h.ino, { size }, caller, h.fh);
      }),
    chmod: (path: string, mode: number, cb: Cb) =>
      answer(cb, `chmod ${path}`, async () => void (await vfs.setattr(await paths.resolve(path), { perm: mode & 0o7777 }, caller))),
    chown: (path: string, uid: number, gid: number, cb: Cb) =>
      answer(cb, `chown ${path}`, async () => {
        const changes = { uid: uid === UNCHANGED_ID ? undefined : uid, gid: gid === UNCHANGED_ID ? undefined : gid };
        await vfs.setattr(await paths.resolve(path), changes, caller);
      }),
    utimens: (path: string, atime: number, mtime: number, cb: Cb) =>
      answer(cb, `utimens ${path}`, async () => {
        const changes = { atimeMs: utimeArg(atime), mtimeMs: utimeArg(mtime) };
        await vfs.setattr(await paths.resolve(path), changes, caller);
      }),
    mknod: (path: string, mode: number, dev: number, cb: Cb) =>
      answer(cb, `mknod ${path}`, async () => {
        const { parent, name } = await paths.resolveParent(path);
        const attr = await vfs.mknod(parent, name, mode, dev, caller);
        paths.added(path, attr.ino, false);
      }),
    mkdir: (path: string, mode: number, cb: Cb) =>
      answer(cb, `mkdir ${path}`, async () => {
        const { parent, name } = await paths.resolveParent(path);
        const attr = await vfs.mkdir(parent, name, mode & 0o7777, caller);
        paths.added(path, attr.ino, true);
      }),
    unlink: (path: string, cb: Cb) =>
      answer(cb, `unlink ${path}`, async () => {
        const { parent, name } = await paths.resolveParent(path);
        await vfs.unlink(parent, name);
        paths.removed(path);
      }),
    rmdir: (path: string, cb: Cb) =>
      answer(cb, `rmdir ${path}`, async () => {
        const { parent, name } = await paths.resolveParent(path);
        await vfs.rmdir(parent, name);
        paths.removed(path);
      }),
    rename: (src: string, dst: string, cb: Cb) =>
      answer(cb, `rename ${src}`, async () => {
        const from = await paths.resolveParent(src);
        const to = await paths.resolveParent(dst);
        await vfs.rename(from.parent, from.name, to.parent, to.name);
        paths.renamed(src, dst);
      }),
    link: (existing: string, path: string, cb: Cb) =>
      answer(cb, `link ${path}`, async () => {
        const ino = await paths.resolve(existing);
        const { parent, name } = await paths.resolveParent(path);
        await vfs.link(ino, parent, name);
        paths.added(path, ino, false);
      }),
    symlink: (target: string, path: string, cb: Cb) =>
      answer(cb, `symlink ${path}`, async () => {
        const { parent, name } = await paths.resolveParent(path);
        const attr = await vfs.symlink(parent, name, Buffer.from(target, 'utf8'), caller);
        paths.added(path, attr.ino, false);
      }),
    readlink: (path: string, cb: Cb) =>
      answer(cb, `readlink ${path}`, async () => [(await vfs.readlink(await paths.resolve(path))).toString('utf8')]),
    setxattr: (path: string, name: string, value: Buffer, _position: number, flags: number, cb: Cb) =>
      answer(cb, `setxattr ${path}`, async () => {
        const mode = flags & 1 ? 'create' : flags & 2 ? 'replace' : undefined;
        await vfs.setxattr(await paths.resolve(path), name, Buffer.from(value), mode);
      }),
    getxattr: (path: string, name: string, _size: number, cb: Cb) =>
      answer(cb, `getxattr ${path}`, async () => [await vfs.getxattr(await paths.resolve(path), name)]),
    listxattr: (path: string, _size: number, cb: Cb) =>
      answer(cb, `listxattr ${path}`, async () => [await vfs.listxattr(await paths.resolve(path))]),
    removexattr: (path: string, name: string, cb: Cb) =>
      answer(cb, `removexattr ${path}`, async () => vfs.removexattr(await paths.resolve(path), name)),
  };
  return { ops, counters, paths, handles, hot };
}

