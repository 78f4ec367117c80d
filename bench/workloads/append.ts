import { join } from 'node:path';
import { driver, rate } from './measure.js';
import type { Workload } from './types.js';

/**
 * Appends of 1 MiB, each followed by fsync, as a log or a database journal does. Each
 * fsync uploads the growing tail chunk again, so the write amplification is the figure to
 * watch next to the latency per append.
 */
export const append: Workload = {
  name: 'append',
  title: 'appends of 1 MiB with fsync after each',
  async run(ctx) {
    const { appendCount: count, appendSize: size } = ctx.sizes;
    ctx.progress(`${count} appends`);
    const m = await driver(ctx, { op: 'append', path: join(ctx.system.root, 'append.log'), count, size });
    return [rate('append+fsync', m, count * size)];
  },
};
