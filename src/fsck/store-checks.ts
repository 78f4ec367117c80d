import { objectKey } from '../metadata/layout.js';
import type { ObjectInfo } from '../store/types.js';
import { loseObject } from './lost-chunks.js';
import { mergeStoreAndMetadata } from './store-scan.js';
import type { Check, CheckContext } from './types.js';

/** Keys per delete request. */
const DELETE_BATCH = 1000;

/*
 * The checks of the metadata against the store. Each one streams the store's listing of
 * chunks/ against the metadata's objects (sorted, page by page), so memory stays bounded
 * however many objects there are; what they collect is bounded by the damage.
 */

/** Orphans the first scan keeps for the orphan check, so that a second listing is needed only past this many. */
const ORPHANS_KEPT = 10_000;

interface Unreferenced {
  objectId: string | null;
  info: ObjectInfo;
}

export const checkObjectsMissing: Check = {
  name: 'objects_missing',
  title: 'referenced objects are in the store with the right size',
  async run(ctx) {
    const missing: string[] = [];
    const wrongSize: { id: string; want: number; got: number }[] = [];
    let orphans: Unreferenced[] | null = [];
    for await (const o of mergeStoreAndMetadata(ctx.checker, ctx.store)) {
      if (!o.known) {
        if (orphans && orphans.length < ORPHANS_KEPT) orphans.push({ objectId: o.objectId, info: o.stored! });
        else orphans = null;
      }
      if (o.known?.state !== 'live' || o.objectId === null) continue;
      if (!o.stored) missing.push(o.objectId);
      else if (o.stored.size !== o.known.size) wrongSize.push({ id: o.objectId, want: o.known.size, got: o.stored.size });
    }
    // Repairs after the scan: they change the metadata the scan streams. None of them
    // makes a stored object unknown (a bad object is queued for deletion), so the
    // unreferenced objects seen here are the orphan check's as they are.
    for (const id of missing) loseObject(ctx, id, 'object missing from the store', false);
    ctx.shared.set('wrongSize', wrongSize);
    if (orphans) ctx.shared.set('orphans', orphans);
  },
};

export const checkObjectsSize: Check = {
  name: 'objects_size',
  title: 'stored objects have the size the metadata records',
  run(ctx) {
    const wrongSize = (ctx.shared.get('wrongSize') ?? []) as { id: string; want: number; got: number }[];
    for (const w of wrongSize) loseObject(ctx, w.id, `object has ${w.got} bytes in the store, the metadata says ${w.want}`, true);
  },
};

/** Unreferenced objects: those the first scan kept, or a fresh streaming pass when it kept too many. */
async function* unreferenced(ctx: CheckContext): AsyncGenerator<Unreferenced> {
  const kept = ctx.shared.get('orphans') as Unreferenced[] | undefined;
  if (kept) {
    yield* kept;
    return;
  }
  for await (const o of mergeStoreAndMetadata(ctx.checker, ctx.store)) if (!o.known && o.stored) yield { objectId: o.objectId, info: o.stored };
}

export const checkObjectsOrphaned: Check = {
  name: 'objects_orphaned',
  title: 'every stored object is referenced',
  async run(ctx) {
    const cutoff = ctx.now() - ctx.graceMs;
    let batch: string[] = [];
    const flush = async (): Promise<void> => {
      if (ctx.repair && batch.length > 0) await ctx.store.deleteMany(batch);
      batch = [];
    };
    for await (const o of unreferenced(ctx)) {
      const { key, size, mtimeMs } = o.info;
      const objectId = o.objectId ?? undefined;
      if (mtimeMs > cutoff) {
        // A live mount may have uploaded it and be about to commit it (DESIGN invariant 2).
        ctx.found({ objectId, bytes: size, severity: 'note', repairable: false, message: `unreferenced ${key} (${size} bytes) is younger than the grace period`, action: 'none: a live mount may be about to commit it' });
        continue;
      }
      ctx.found({ objectId, bytes: size, message: `${key} (${size} bytes, ${new Date(mtimeMs).toISOString()}) is referenced by nothing`, action: 'delete it from the store' });
      batch.push(key);
      if (batch.length >= DELETE_BATCH) await flush();
    }
    await flush();
  },
};

export const checkPendingDue: Check = {
  name: 'pending_due',
  title: 'due deletions are carried out',
  async run(ctx) {
    let after: string | null = null;
    for (;;) {
      const due = ctx.checker.dueDeletions(after, DELETE_BATCH);
      if (due.length === 0) return;
      for (const d of due) ctx.found({ objectId: d.objectId, bytes: d.size, severity: 'note', message: `retired object (${d.size} bytes) whose deletion is due`, action: 'delete it from the store' });
      if (ctx.repair) await ctx.store.deleteMany(due.map((d) => objectKey(d.objectId)));
      ctx.checker.forgetDeletions(due.map((d) => d.objectId));
      after = due[due.length - 1]!.objectId;
    }
  },
};

export const STORE_CHECKS: readonly Check[] = [checkObjectsMissing, checkObjectsSize, checkObjectsOrphaned, checkPendingDue];

/** For gc: the orphan and due-deletion checks only. */
export const GC_CHECKS: readonly Check[] = [checkObjectsOrphaned, checkPendingDue];

export type { CheckContext };
