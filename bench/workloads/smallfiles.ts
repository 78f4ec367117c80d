import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PhaseResult } from '../types.js';
import { driver, opsRate } from './measure.js';
import type { Workload } from './types.js';

/**
 * Many small files in one directory: create (with their data), stat, read and delete.
 * Creates are given as the application sees them and "until durable": until the last
 * upload they caused ended at the proxy (the same figure where close waits for uploads).
 * Stat and read start cold, after a remount.
 */
export const smallfiles: Workload = {
  name: 'smallfiles',
  title: 'create, stat, read and delete of many small files in one directory',
  async run(ctx) {
    const { smallFiles: count, smallFileSize: size } = ctx.sizes;
    const dir = join(ctx.system.root, 'small');
    await mkdir(dir, { recursive: true });
    ctx.progress(`create ${count}`);
    const c = await driver(ctx, { op: 'create', dir, count, size });
    const out: PhaseResult[] = [opsRate('create', c, count * size)];
    if (c.lastRequestAtMs !== null) {
      const untilDurable = Math.max(c.r.seconds, (c.lastRequestAtMs - c.r.startedAtMs) / 1000);
      out.push({ ...opsRate('create until durable', c, count * size, untilDurable), p50Ms: undefined, p99Ms: undefined });
    }
    await ctx.system.remountCold();
    ctx.progress('stat');
    out.push(opsRate('stat', await driver(ctx, { op: 'stat', dir, count }), 0));
    ctx.progress('read');
    out.push(opsRate('read', await driver(ctx, { op: 'read', dir, count }), 0));
    ctx.progress('delete');
    out.push(opsRate('delete', await driver(ctx, { op: 'delete', dir, count }), 0));
    return out;
  },
};
