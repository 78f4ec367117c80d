/**
 * A filesystem that keeps no data: each file is a name and a size, writes are counted and
 * dropped, reads answer with whatever the buffer holds. Mounted through fuse-native with
 * the same `big_writes,max_write=131072` as chunkfs, it measures the binding's own cost per
 * request: the ceiling any fuse-native filesystem can reach on this machine.
 *
 * Usage: node noop-fs.js MOUNTPOINT. Prints "mounted" once serving; SIGTERM unmounts.
 */
import { loadFuse } from '../src/fuse/binding.js';

const ENOENT = -2;
const EEXIST = -17;
const ENODATA = -61;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

type Cb = (code: number, value?: unknown) => void;

const mountpoint = process.argv[2];
if (!mountpoint) {
  process.stderr.write('usage: noop-fs MOUNTPOINT\n');
  process.exit(2);
}

const sizes = new Map<string, number>();
const started = new Date();

function stat(mode: number, size: number) {
  return { mode, size, nlink: 1, uid: 0, gid: 0, mtime: started, atime: started, ctime: started };
}

const ops = {
  getattr: (path: string, cb: Cb) => {
    if (path === '/') return cb(0, stat(S_IFDIR | 0o755, 4096));
    const size = sizes.get(path);
    return size === undefined ? cb(ENOENT) : cb(0, stat(S_IFREG | 0o644, size));
  },
  fgetattr: (path: string, _fd: number, cb: Cb) => ops.getattr(path, cb),
  readdir: (path: string, cb: Cb) => cb(0, path === '/' ? [...sizes.keys()].map((p) => p.slice(1)) : []),
  // ENODATA (not ENOSYS) as chunkfs answers: the kernel then asks again at each write.
  getxattr: (_path: string, _name: string, _size: number, cb: Cb) => cb(ENODATA),
  create: (path: string, _mode: number, cb: Cb) => {
    if (sizes.has(path)) return cb(EEXIST);
    sizes.set(path, 0);
    return cb(0, 1);
  },
  open: (path: string, _flags: number, cb: Cb) => (sizes.has(path) ? cb(0, 1) : cb(ENOENT)),
  truncate: (path: string, size: number, cb: Cb) => {
    sizes.set(path, size);
    cb(0);
  },
  ftruncate: (path: string, _fd: number, size: number, cb: Cb) => ops.truncate(path, size, cb),
  write: (path: string, _fd: number, _buf: Buffer, len: number, pos: number, cb: Cb) => {
    sizes.set(path, Math.max(sizes.get(path) ?? 0, pos + len));
    cb(len);
  },
  read: (path: string, _fd: number, _buf: Buffer, len: number, pos: number, cb: Cb) => cb(Math.max(0, Math.min(len, (sizes.get(path) ?? 0) - pos))),
  unlink: (path: string, cb: Cb) => cb(sizes.delete(path) ? 0 : ENOENT),
  flush: (_path: string, _fd: number, cb: Cb) => cb(0),
  fsync: (_path: string, _datasync: number, _fd: number, cb: Cb) => cb(0),
  release: (_path: string, _fd: number, cb: Cb) => cb(0),
};

const Fuse = loadFuse();
const fuse = new Fuse(mountpoint, ops, { fsname: 'noop,big_writes,max_write=131072', timeout: false });
fuse.mount((err) => {
  if (err) {
    process.stderr.write(`noop-fs: mount failed: ${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write('mounted\n');
});
process.on('SIGTERM', () => fuse.unmount(() => process.exit(0)));
