import type { CheckContext } from './types.js';
import { DAMAGED_XATTR } from './types.js';

const DAMAGED_KEY = 'damaged';

/**
 * The repair of an object that is missing, of the wrong size or corrupt: every chunk row
 * naming it goes (the chunk reads as zeros, as a hole does) and each file that named it is
 * marked with the xattr `user.chunkfs.damaged` (the lost chunk indexes) or, with
 * --repair=lost, moved to /lost+found. One finding per affected chunk, naming the file.
 *
 * @param objectExists whether the store still holds the (bad) object: then it is queued
 *   for deletion once a snapshot without it is uploaded.
 */
export function loseObject(ctx: CheckContext, objectId: string, why: string, objectExists: boolean): void {
  const { checker } = ctx;
  const rows = checker.chunksOfObject(objectId);
  if (rows.length === 0) {
    ctx.found({ objectId, message: why, action: 'forget it' });
    return;
  }
  const damaged = damagedChunks(ctx);
  for (const row of rows) {
    const path = checker.pathOf(row.ino);
    const action = ctx.repairMode === 'lost' ? `drop chunk ${row.idx}, move the file to /lost+found` : `drop chunk ${row.idx} (it reads as zeros), mark the file ${DAMAGED_XATTR}`;
    ctx.found({ ino: row.ino, path, objectId, message: `chunk ${row.idx}: ${why}`, action });
    checker.dropChunk(row, objectExists);
    const set = damaged.get(row.ino) ?? new Set<number>();
    set.add(row.idx);
    damaged.set(row.ino, set);
    checker.setXattr(row.ino, DAMAGED_XATTR, Buffer.from([...set].sort((a, b) => a - b).join(',')));
    if (ctx.repairMode === 'lost' && !(path ?? '').startsWith('/lost+found/')) {
      const moved = checker.relinkToLostFound(row.ino, ctx.now());
      ctx.log(`fsck: moved ${path ?? `inode ${row.ino}`} to ${moved}`);
    }
  }
}

/** Chunks lost per inode in this run, so the xattr lists all of them. */
function damagedChunks(ctx: CheckContext): Map<number, Set<number>> {
  let map = ctx.shared.get(DAMAGED_KEY) as Map<number, Set<number>> | undefined;
  if (!map) {
    map = new Map();
    ctx.shared.set(DAMAGED_KEY, map);
  }
  return map;
}
