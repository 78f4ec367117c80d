import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { hasSmallObjects, type RawSmallObjects } from '../systems/raw.js';
import type { PhaseResult } from '../types.js';
import { driver, measure, opsRate } from './measure.js';
import type { Workload, WorkloadContext } from './types.js';

/**
 * The raw store's version: one PUT per small file (durable when it returns, so it is the
 * ceiling for "create until durable"), then one GET and one DELETE each. There is no stat
 * and no app-visible create without a filesystem; those rows show no figure for it.
 */
async function rawSmall(ctx: WorkloadContext, raw: RawSmallObjects): Promise<PhaseResult[]> {
  const { smallFiles: count, smallFileSize: size } = ctx.sizes;
  ctx.progress(`put ${count}`);
  const put = await measure(ctx, () => raw.smallObjects('put', count, size));
  ctx.progress('get');
  const get = await measure(ctx, () => raw.smallObjects('get', count, size));
  ctx.progress('delete');
  const del = await measure(ctx, () => raw.smallObjects('delete', count, size));
  return [
    { ...opsRate('create until durable', put, count * size), note: 'one PUT per file' },
    { ...opsRate('read', get, 0), note: 'one GET per file' },
    { ...opsRate('delete', del, 0), note: 'one DELETE per file' },
  ];
}

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
    const raw = ctx.system.raw;
    if (raw && hasSmallObjects(raw)) return rawSmall(ctx, raw);
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
