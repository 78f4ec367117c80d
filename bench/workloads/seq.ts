import { join } from 'node:path';
import type { RawStore } from '../systems/types.js';
import type { PhaseResult } from '../types.js';
import { epochMs } from '../driver/timing.js';
import { driver, measure, rate, type Measured } from './measure.js';
import type { Workload, WorkloadContext } from './types.js';

/** The raw store's version: the same bytes as whole objects, no filesystem. */
async function rawSeq(ctx: WorkloadContext, raw: RawStore): Promise<PhaseResult[]> {
  const size = ctx.sizes.bigFile;
  const asStep = async (fn: () => Promise<{ seconds: number; cpuSeconds?: number }>, bytes: number) => {
    const startedAtMs = epochMs();
    const r = await fn();
    return { startedAtMs, seconds: r.seconds, appSeconds: r.seconds, bytes, ops: Math.ceil(size / (4 * 2 ** 20)), cpuSeconds: r.cpuSeconds };
  };
  const w = await measure(ctx, () => asStep(() => raw.putAll(size), size));
  const r = await measure(ctx, () => asStep(() => raw.getAll(), size));
  return [rate('write', w, size), rate('read cold', r, 0)];
}

/**
 * A large file written sequentially and fsynced (the time runs until it is durable), then
 * read back cold (after a remount with an empty cache) and warm (again, straight after).
 */
export const seq: Workload = {
  name: 'seq',
  title: 'sequential write (fsync included), then read cold and warm, of one large file',
  async run(ctx) {
    if (ctx.system.raw) return rawSeq(ctx, ctx.system.raw);
    const { bigFile: size, ioBlock: block } = ctx.sizes;
    const path = join(ctx.system.root, 'big.bin');
    ctx.progress('write');
    const w: Measured = await driver(ctx, { op: 'seqWrite', path, size, block, fsync: true });
    ctx.fixtures.set('big', { path, size });
    const write = rate('write', w, size);
    write.note = `app-visible ${(size / 1e6 / w.r.appSeconds).toFixed(1)} MB/s before fsync`;
    ctx.progress('remount');
    await ctx.system.remountCold();
    ctx.progress('read cold');
    const cold = await driver(ctx, { op: 'seqRead', path, block });
    ctx.progress('read warm');
    const warm = await driver(ctx, { op: 'seqRead', path, block });
    return [write, rate('read cold', cold, 0), rate('read warm', warm, 0)];
  },
};
