import type { Statements } from './sqlite-db.js';

/**
 * Object bookkeeping inside a caller's transaction: reference counts and retirement.
 * A retired object (refs 0) waits in `pending_deletes` until snapshot `not_before` is
 * uploaded (DESIGN invariant 3).
 */
export class ObjectBook {
  /**
   * @param currentSeq the latest snapshot taken; an object retired now may be referenced by
   *   it, so it becomes deletable only once snapshot currentSeq + 1 is uploaded.
   */
  constructor(private readonly st: Statements, private readonly currentSeq: () => number) {}

  /** One more chunk row names object `id` (a new object starts at refs 1). */
  reference(id: string, size: number): void {
    // An id is never reused, but if a retired object is committed again it must not be deleted.
    this.st.get('DELETE FROM pending_deletes WHERE object_id = ?').run(id);
    this.st
      .get('INSERT INTO objects (id, size, refs) VALUES (?, ?, 1) ON CONFLICT(id) DO UPDATE SET refs = refs + 1')
      .run(id, size);
  }

  /** One chunk row fewer names object `id`; at 0 it is queued for deletion. */
  retire(id: string): void {
    const row = this.st.get('UPDATE objects SET refs = refs - 1 WHERE id = ? RETURNING refs, size').get(id) as
      | { refs: number; size: number }
      | undefined;
    if (!row) return; // not tracked (inconsistent database): fsck's job, never a failed unlink
    if (row.refs > 0) return;
    this.st.get('DELETE FROM objects WHERE id = ?').run(id);
    this.queue(id, row.size, this.currentSeq() + 1);
  }

  /** Queues an object for deletion once snapshot `notBefore` is uploaded (0: at once). */
  queue(id: string, size: number, notBefore: number): void {
    this.st
      .get('INSERT INTO pending_deletes (object_id, size, not_before) VALUES (?, ?, ?) ON CONFLICT(object_id) DO UPDATE SET not_before = max(not_before, excluded.not_before)')
      .run(id, size, notBefore);
  }

  /** Removes the chunk rows of `ino` with idx >= fromIdx and retires their objects. */
  dropChunks(ino: number, fromIdx: number): number {
    // Every close that grew a file asks, and there is usually nothing past its end. A
    // DELETE with RETURNING costs about 75 µs even then (SQLite materialises the returned
    // rows first), a SELECT 7 µs: the delete runs only when there are rows to delete.
    const gone = this.st.get('SELECT object_id FROM chunks WHERE ino = ? AND idx >= ?').all(ino, fromIdx) as { object_id: string }[];
    if (gone.length === 0) return 0;
    this.st.get('DELETE FROM chunks WHERE ino = ? AND idx >= ?').run(ino, fromIdx);
    for (const { object_id } of gone) this.retire(object_id);
    return gone.length;
  }
}
