import { fsError } from '../errors.js';
import { checkName, isDotName } from './names.js';
import { toAttr, type InodeRow } from './sqlite-db.js';
import type { Nodes } from './sqlite-nodes.js';
import type { Attr, RenameFlags } from './types.js';

export interface RenameArgs {
  srcParent: number;
  srcName: Buffer;
  dstParent: number;
  dstName: Buffer;
  flags: RenameFlags;
  nowMs: number;
}

/**
 * rename(2)/renameat2(2) inside the caller's transaction. The checks run in the order
 * Linux's do_renameat2() and vfs_rename() make them, so that each case fails with the
 * same errno. A replaced directory is empty and has no data, so it is removed at once
 * (its attributes are returned with nlink 0); a replaced file with nlink 0 is left for
 * the caller to destroy once it is closed.
 */
export function renameEntry(nodes: Nodes, a: RenameArgs): { replaced?: Attr } {
  const { srcParent, srcName, dstParent, dstName, flags, nowMs } = a;
  if (flags.noreplace && flags.exchange) throw fsError('EINVAL', 'RENAME_NOREPLACE with RENAME_EXCHANGE');
  if (!isDotName(srcName)) checkName(srcName);
  if (!isDotName(dstName)) checkName(dstName);
  nodes.dir(srcParent);
  nodes.liveDir(dstParent);
  if (isDotName(srcName)) throw fsError('EBUSY', 'rename of . or ..');
  if (isDotName(dstName)) throw fsError(flags.noreplace ? 'EEXIST' : 'EBUSY', 'rename onto . or ..');

  const src = nodes.childRow(srcParent, srcName);
  const dstIno = nodes.child(dstParent, dstName);
  if (flags.noreplace && dstIno !== undefined) throw fsError('EEXIST', 'rename target exists (RENAME_NOREPLACE)');
  if (flags.exchange && dstIno === undefined) throw fsError('ENOENT', 'rename exchange target missing');
  const dst = dstIno === undefined ? undefined : nodes.get(dstIno);

  // A directory may not move into its own subtree; nor may a target be an ancestor of the source.
  if (src.kind === 'dir' && nodes.isWithin(dstParent, src.ino)) throw fsError('EINVAL', 'rename of a directory into itself');
  if (dst?.kind === 'dir' && nodes.isWithin(srcParent, dst.ino)) {
    throw fsError(flags.exchange ? 'EINVAL' : 'ENOTEMPTY', 'rename target is an ancestor of the source');
  }
  // Two names of one inode (or one name onto itself): POSIX says do nothing.
  if (dst && dst.ino === src.ino) return {};

  return flags.exchange ? exchange(nodes, a, src, dst!) : move(nodes, a, src, dst);
}

function move(nodes: Nodes, a: RenameArgs, src: InodeRow, dst: InodeRow | undefined): { replaced?: Attr } {
  const { srcParent, srcName, dstParent, dstName, nowMs } = a;
  const deltas = new Deltas();
  let replaced: Attr | undefined;
  if (dst) {
    if (src.kind === 'dir' && dst.kind !== 'dir') throw fsError('ENOTDIR', 'rename of a directory over a non-directory');
    if (src.kind !== 'dir' && dst.kind === 'dir') throw fsError('EISDIR', 'rename of a non-directory over a directory');
    if (dst.kind === 'dir' && nodes.hasEntries(dst.ino)) throw fsError('ENOTEMPTY', 'rename over a non-empty directory');
    nodes.setEntry(dstParent, dstName, src.ino);
    if (dst.kind === 'dir') {
      replaced = toAttr({ ...dst, nlink: 0, ctime_ms: nowMs });
      nodes.deleteRows(dst.ino);
      deltas.add(dstParent, -1);
    } else {
      nodes.linksChanged(dst.ino, -1, nowMs);
      replaced = toAttr(nodes.get(dst.ino));
    }
  } else {
    nodes.addEntry(dstParent, dstName, src.ino);
  }
  nodes.removeEntry(srcParent, srcName);
  if (src.kind === 'dir') {
    deltas.add(srcParent, -1);
    deltas.add(dstParent, +1);
  }
  nodes.linksChanged(src.ino, 0, nowMs);
  deltas.apply(nodes, [srcParent, dstParent], nowMs);
  return replaced ? { replaced } : {};
}

function exchange(nodes: Nodes, a: RenameArgs, src: InodeRow, dst: InodeRow): { replaced?: Attr } {
  const { srcParent, srcName, dstParent, dstName, nowMs } = a;
  nodes.setEntry(srcParent, srcName, dst.ino);
  nodes.setEntry(dstParent, dstName, src.ino);
  const deltas = new Deltas();
  if (src.kind === 'dir') {
    deltas.add(srcParent, -1);
    deltas.add(dstParent, +1);
  }
  if (dst.kind === 'dir') {
    deltas.add(dstParent, -1);
    deltas.add(srcParent, +1);
  }
  nodes.linksChanged(src.ino, 0, nowMs);
  nodes.linksChanged(dst.ino, 0, nowMs);
  deltas.apply(nodes, [srcParent, dstParent], nowMs);
  return {};
}

/** nlink changes of the parent directories, applied once per directory with its times. */
class Deltas {
  private readonly by = new Map<number, number>();
  add(dir: number, delta: number): void {
    this.by.set(dir, (this.by.get(dir) ?? 0) + delta);
  }
  apply(nodes: Nodes, dirs: number[], nowMs: number): void {
    for (const dir of new Set(dirs)) nodes.dirChanged(dir, nowMs, this.by.get(dir) ?? 0);
  }
}
