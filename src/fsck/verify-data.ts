import PQueue from 'p-queue';
import { initChecksum, xxh64Hex } from '../chunker/checksum.js';
import { ObjectNotFound } from '../errors.js';
import type { ChunkObject } from '../metadata/checks.js';
import { objectKey } from '../metadata/layout.js';
import { loseObject } from './lost-chunks.js';
import { Progress } from './progress.js';
import type { Check, CheckContext } from './types.js';

const PAGE = 1000;
/** Parallel downloads. */
export const VERIFY_CONCURRENCY = 8;

type Verdict = { id: string; why: string; exists: boolean } | null;

async function verifyOne(ctx: CheckContext, o: ChunkObject): Promise<Verdict> {
  let body: Buffer;
  try {
    body = await ctx.store.get(objectKey(o.objectId));
  } catch (err) {
    if (err instanceof ObjectNotFound) return { id: o.objectId, why: 'object missing from the store', exists: false };
    throw err;
  }
  if (body.length !== o.len) return { id: o.objectId, why: `object has ${body.length} bytes, the metadata says ${o.len}`, exists: true };
  const sum = xxh64Hex(body);
  if (sum !== o.xxh64) return { id: o.objectId, why: `object's xxh64 is ${sum}, the metadata says ${o.xxh64}`, exists: true };
  return null;
}

/**
 * --verify-data: downloads every referenced object (bounded concurrency, one page of ids at
 * a time) and verifies its length and xxh64. A corrupt object is treated as a missing one.
 */
export const checkObjectsData: Check = {
  name: 'objects_data',
  title: 'object contents match their checksums',
  async run(ctx) {
    await initChecksum();
    const totals = ctx.checker.objectTotals();
    const tty = process.stderr.isTTY ? process.stderr : null;
    const progress = new Progress('verifying', totals.bytes, totals.objects, tty);
    const queue = new PQueue({ concurrency: VERIFY_CONCURRENCY });
    let after: string | null = null;
    for (;;) {
      const page = ctx.checker.chunkObjectsPage(after, PAGE);
      if (page.length === 0) break;
      const verdicts = await Promise.all(
        page.map((o) =>
          queue.add(async () => {
            const v = await verifyOne(ctx, o);
            progress.add(o.len);
            return v;
          }),
        ),
      );
      // Repairs between pages: the page is done, the next one starts after its last id.
      for (const v of verdicts) if (v) loseObject(ctx, v.id, v.why, v.exists);
      after = page[page.length - 1]!.objectId;
    }
    progress.end();
  },
};
