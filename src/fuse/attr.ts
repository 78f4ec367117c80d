import { KIND_BITS, type Attr } from '../vfs/types.js';
import type { StatFs } from '../vfs/types.js';
import type { Presentation } from './options.js';

/** The stat object fuse-native expects (times in ms). */
export interface FuseStat {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  nlink: number;
  ino: number;
  rdev: number;
  blksize: number;
  blocks: number;
  atime: number;
  mtime: number;
  ctime: number;
}

/** The I/O size programs (cp, dd) see: one FUSE write as the mount is set up. */
const BLKSIZE = 131072;

/** An inode's attributes as the kernel should see them, after `uid=`/`gid=`/`umask=`/`fmask=`/`dmask=`. */
export function toFuseStat(a: Attr, p: Presentation): FuseStat {
  const isDir = a.kind === 'dir';
  let perm = a.perm & 0o7777;
  if (p.umask !== undefined) perm &= ~p.umask;
  const mask = isDir ? p.dmask : p.fmask;
  if (mask !== undefined) perm &= ~mask;
  return {
    mode: KIND_BITS[a.kind] | perm,
    uid: p.uid ?? a.uid,
    gid: p.gid ?? a.gid,
    size: a.size,
    nlink: a.nlink,
    ino: a.ino,
    rdev: a.rdev,
    blksize: BLKSIZE,
    blocks: Math.ceil(a.size / 512),
    atime: a.atimeMs,
    mtime: a.mtimeMs,
    ctime: a.ctimeMs,
  };
}

/** fuse-native carries statfs fields as 32-bit integers: clamp rather than wrap. */
const u32 = (n: number): number => Math.max(0, Math.min(0xffffffff, Math.floor(n)));

/**
 * fuse-native carries statfs fields as 32-bit integers. Block counts that do not fit are
 * scaled by a larger fragment size (so df shows the same bytes); inode counts are clamped,
 * keeping the number in use exact.
 */
export function toFuseStatfs(s: StatFs): Record<string, number> {
  let { frsize, blocks, bfree, bavail } = s;
  while (blocks > 0xffffffff) {
    frsize *= 2;
    blocks /= 2;
    bfree /= 2;
    bavail /= 2;
  }
  const files = u32(s.files);
  const used = Math.max(0, s.files - s.ffree);
  return {
    bsize: u32(s.bsize),
    frsize: u32(frsize),
    blocks: u32(blocks),
    bfree: u32(bfree),
    bavail: u32(bavail),
    files,
    ffree: Math.max(0, files - used),
    favail: Math.max(0, files - used),
    fsid: 0,
    flag: 0,
    namemax: u32(s.namemax),
  };
}
