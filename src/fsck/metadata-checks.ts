import type { ChunkRow, NameRow } from '../metadata/checks.js';
import type { Check, CheckContext } from './types.js';

/*
 * The checks of the metadata on its own, in the order they run: each one's repair leaves
 * what the next one relies on (kinds before names, names before reachability, reachability
 * before link counts, chunk rows before reference counts).
 */

const nameOf = (n: NameRow): string => JSON.stringify(n.name.toString('utf8'));
const oct = (n: number): string => (Number.isFinite(n) ? n.toString(8) : String(n));

export const checkInodesMode: Check = {
  name: 'inodes_mode',
  title: 'inodes have a valid kind and mode',
  run(ctx) {
    for (const r of ctx.checker.findBadModes()) {
      const what = r.kind === '(missing)' ? 'the root directory is missing' : `kind ${JSON.stringify(r.kind)}, perm ${oct(r.perm)}`;
      ctx.found({ ino: r.ino, path: ctx.checker.pathOf(r.ino), message: what, action: `make it a ${r.fixedKind} with perm ${oct(r.perm & 0o7777)}` });
      ctx.checker.repairBadMode(r);
    }
  },
};

export const checkDentriesInode: Check = {
  name: 'dentries_inode',
  title: 'entries name existing inodes',
  run(ctx) {
    for (const n of ctx.checker.findDanglingNames()) {
      const dir = ctx.checker.pathOf(n.parent);
      ctx.found({
        ino: n.ino,
        path: dir === null ? null : joinPath(dir, n),
        message: `entry ${nameOf(n)} in directory ${n.parent} names inode ${n.ino}, which does not exist`,
        action: 'remove the entry',
      });
      ctx.checker.removeName(n);
    }
  },
};

export const checkDentriesParent: Check = {
  name: 'dentries_parent',
  title: 'entries live in existing directories',
  run(ctx) {
    for (const n of ctx.checker.findMisplacedNames()) {
      ctx.found({
        ino: n.ino,
        message: n.ino === 1 ? `the root has a name, ${nameOf(n)} in ${n.parent}` : `entry ${nameOf(n)} is in inode ${n.parent}, which is no directory`,
        action: 'remove the entry (what it named goes to /lost+found)',
      });
      ctx.checker.removeName(n);
    }
  },
};

export const checkStrayRows: Check = {
  name: 'rows_inode',
  title: 'xattrs, symlink targets and chunks belong to existing inodes',
  run(ctx) {
    for (const r of ctx.checker.findStrayRows()) {
      ctx.found({ ino: r.ino, message: `${r.rows} ${r.table} row(s) of inode ${r.ino}, which does not exist`, action: `delete them` });
      ctx.checker.repairStrayRows(r);
    }
  },
};

export const checkSymlinks: Check = {
  name: 'symlinks_target',
  title: 'symlinks have a target',
  run(ctx) {
    for (const r of ctx.checker.findBadSymlinks()) {
      const path = ctx.checker.pathOf(r.ino);
      if (r.problem === 'no-target') ctx.found({ ino: r.ino, path, message: 'symlink without a target', action: 'remove the symlink' });
      else if (r.problem === 'not-a-symlink') ctx.found({ ino: r.ino, path, message: 'a symlink target on an inode that is no symlink', action: 'delete the target' });
      else ctx.found({ ino: r.ino, path, message: `symlink size ${r.size}, target of ${r.targetLength} bytes`, action: `set the size to ${r.targetLength}` });
      ctx.checker.repairBadSymlink(r);
    }
  },
};

export const checkCycles: Check = {
  name: 'dirs_cycles',
  title: 'directories form a tree',
  run(ctx) {
    for (const r of ctx.checker.findCycles()) {
      const path = ctx.checker.pathOf(r.ino);
      const names = r.drop.map(nameOf).join(', ');
      ctx.found({
        ino: r.ino,
        path,
        message: r.problem === 'cycle' ? 'directory is part of a cycle cut off from the root' : `directory has ${r.drop.length + 1} names`,
        action: `remove the entr${r.drop.length === 1 ? 'y' : 'ies'} ${names}`,
      });
      ctx.checker.repairCycle(r);
    }
  },
};

export const checkReachable: Check = {
  name: 'inodes_reachable',
  title: 'every inode is reachable from the root',
  run(ctx) {
    for (const r of ctx.checker.findUnreachable()) {
      if (r.nlink === 0 && r.kind !== 'dir') {
        // Unlinked while open when the mount stopped: what the next mount would destroy.
        ctx.found({ ino: r.ino, severity: 'note', repairable: !ctx.liveMount, message: `${r.kind} unlinked while open`, action: ctx.liveMount ? 'none: the live mount may have it open' : 'destroy it' });
        if (!ctx.liveMount) ctx.checker.destroyInode(r.ino);
        continue;
      }
      const path = ctx.checker.moveToLostFound(r.ino, ctx.now());
      ctx.found({ ino: r.ino, message: `${r.kind} not reachable from the root`, action: `move it to ${path}` });
    }
  },
};

export const checkNlink: Check = {
  name: 'inodes_nlink',
  title: 'link counts match the entries',
  run(ctx) {
    for (const r of ctx.checker.findBadNlinks()) {
      ctx.found({ ino: r.ino, path: ctx.checker.pathOf(r.ino), message: `${r.kind} has nlink ${r.nlink}, entries say ${r.expected}`, action: `set nlink to ${r.expected}` });
      ctx.checker.repairNlink(r);
    }
  },
};

function dropChunks(ctx: CheckContext, rows: ChunkRow[], why: (r: ChunkRow) => string): void {
  for (const r of rows) {
    ctx.found({ ino: r.ino, path: ctx.checker.pathOf(r.ino), objectId: r.objectId, message: why(r), action: `drop chunk ${r.idx}` });
    ctx.checker.dropChunk(r, true);
  }
}

export const checkChunksKind: Check = {
  name: 'chunks_kind',
  title: 'only regular files have chunks',
  run(ctx) {
    dropChunks(ctx, ctx.checker.findChunksOfNonFiles(), (r) => `chunk ${r.idx} of an inode that is no regular file`);
  },
};

export const checkChunksPastSize: Check = {
  name: 'chunks_size',
  title: 'chunks lie within their file',
  run(ctx) {
    const cs = ctx.checker.chunkSize;
    dropChunks(ctx, ctx.checker.findChunksPastSize(), (r) => `chunk ${r.idx} starts at ${r.idx * cs}, at or past the end of the file`);
  },
};

export const checkInodesSize: Check = {
  name: 'inodes_size',
  title: 'file sizes cover their last chunk',
  run(ctx) {
    for (const r of ctx.checker.findShortSizes()) {
      ctx.found({ ino: r.ino, path: ctx.checker.pathOf(r.ino), message: `size ${r.size}, but the last chunk ends at ${r.expected}`, action: `set the size to ${r.expected}` });
      ctx.checker.repairSize(r);
    }
  },
};

export const checkObjectRefs: Check = {
  name: 'objects_refs',
  title: 'object reference counts match the chunks',
  run(ctx) {
    for (const r of ctx.checker.findBadRefs()) {
      const parts: string[] = [];
      if (r.refs !== r.expected) parts.push(r.refs === null ? `no object row, ${r.expected} chunk(s) name it` : `refs ${r.refs}, ${r.expected} chunk(s) name it`);
      if (r.pending) parts.push('queued for deletion while referenced');
      const action = r.expected === 0 ? 'forget it and queue it for deletion' : r.pending ? `cancel the deletion, set refs to ${r.expected}` : `set refs to ${r.expected}`;
      ctx.found({ objectId: r.objectId, message: parts.join('; '), action });
      ctx.checker.repairRefs(r);
    }
  },
};

export const METADATA_CHECKS: readonly Check[] = [
  checkInodesMode,
  checkDentriesInode,
  checkDentriesParent,
  checkStrayRows,
  checkSymlinks,
  checkCycles,
  checkReachable,
  checkNlink,
  checkChunksKind,
  checkChunksPastSize,
  checkInodesSize,
  checkObjectRefs,
];

function joinPath(dir: string, n: NameRow): string {
  return `${dir === '/' ? '' : dir}/${n.name.toString('utf8')}`;
}
