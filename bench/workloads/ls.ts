import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { driver, prepare, time } from './measure.js';
import type { Workload } from './types.js';

/** `ls -l` of a directory of many (empty) files: cold, after a remount, then warm. */
export const ls: Workload = {
  name: 'ls',
  title: '`ls -l` of one large directory, cold and warm',
  async run(ctx) {
    const count = ctx.sizes.lsEntries;
    const dir = join(ctx.system.root, 'listing');
    await mkdir(dir, { recursive: true });
    ctx.progress(`creating ${count} entries`);
    await prepare(ctx, { op: 'create', dir, count, size: 0 });
    await ctx.system.remountCold();
    ctx.progress('ls -l cold');
    const cold = await driver(ctx, { op: 'ls', dir });
    ctx.progress('ls -l warm');
    const warm = await driver(ctx, { op: 'ls', dir });
    for (const m of [cold, warm]) {
      if (m.r.ops !== count) throw new Error(`ls -l listed ${m.r.ops} entries, expected ${count}`);
    }
    return [time('ls -l cold', cold, 0), time('ls -l warm', warm, 0)];
  },
};
