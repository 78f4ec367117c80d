import { bigFile, driver, time } from './measure.js';
import type { Workload } from './types.js';

/**
 * One byte changed in the middle of the large file, then fsync, starting cold (after a
 * remount): the cost of a small change to a big file. chunkfs should move one chunk down
 * and one up; a whole-object store moves the whole file.
 */
export const poke: Workload = {
  name: 'poke',
  title: '1 byte changed in the middle of the large file, then fsync (cold)',
  async run(ctx) {
    const path = await bigFile(ctx);
    await ctx.system.remountCold();
    ctx.progress('1 byte + fsync');
    const m = await driver(ctx, { op: 'poke', path, offset: Math.floor(ctx.sizes.bigFile / 2) });
    return [time('1 byte+fsync', m, 1)];
  },
};
