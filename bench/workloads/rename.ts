import { join } from 'node:path';
import { bigFile, driver, time } from './measure.js';
import type { Workload } from './types.js';

/** rename(2) of the large file: chunkfs touches only metadata; a whole-object store copies it. */
export const rename: Workload = {
  name: 'rename',
  title: 'rename of the large file',
  async run(ctx) {
    const from = await bigFile(ctx);
    const to = join(ctx.system.root, from.endsWith('big.bin') ? 'big-renamed.bin' : 'big.bin');
    ctx.progress('rename');
    const m = await driver(ctx, { op: 'rename', from, to });
    ctx.fixtures.set('big', { path: to, size: ctx.sizes.bigFile });
    return [time('rename', m, 0, 'ms')];
  },
};
