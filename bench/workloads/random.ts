import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runStep } from '../driver/client.js';
import type { DriverResult } from '../driver/spec.js';
import type { PhaseResult } from '../types.js';
import { fioRandom } from './fio.js';
import { driver, measure, opsRate, prepare, time } from './measure.js';
import type { Workload, WorkloadContext } from './types.js';

const BLOCK = 4096;

function randomStep(ctx: WorkloadContext, path: string, mode: 'read' | 'write'): Promise<DriverResult> {
  const { randomFile, randomSeconds } = ctx.sizes;
  if (ctx.fio) return fioRandom(ctx.fio, path, randomFile, mode, randomSeconds, BLOCK);
  return runStep({ op: 'random', path, mode, seconds: randomSeconds, block: BLOCK, flush: false }, ctx.stepTimeoutMs);
}

/**
 * Random 4 KiB reads (cold: after a remount), then random 4 KiB writes, of one file, then
 * the fsync that makes the writes durable. The write IOPS are given both as the
 * application sees them and with the flush counted in.
 */
export const random: Workload = {
  name: 'random',
  title: 'random 4 KiB reads (cold) and writes of one file, then fsync',
  async run(ctx) {
    const path = join(ctx.system.root, 'random.bin');
    ctx.progress('writing the file');
    await prepare(ctx, { op: 'seqWrite', path, size: ctx.sizes.randomFile, block: ctx.sizes.ioBlock, fsync: true });
    await ctx.system.remountCold();
    const engine = ctx.fio ? 'fio psync iodepth 1' : 'built-in generator, iodepth 1';
    ctx.progress('random reads');
    const r = await measure(ctx, () => randomStep(ctx, path, 'read'));
    ctx.progress('random writes');
    const w = await measure(ctx, () => randomStep(ctx, path, 'write'));
    ctx.progress('flush');
    const f = await driver(ctx, { op: 'fsync', path });
    const written = w.r.bytes;
    const read = { ...opsRate('rand read', r, 0), note: engine };
    const write = { ...opsRate('rand write', w, written), note: engine };
    const flush = time('flush', f, written);
    // Everything the writes caused, uploads during and after them, over their whole duration.
    const both: PhaseResult = {
      ...opsRate('rand write+flush', w, written, w.r.seconds + f.r.seconds),
      p50Ms: undefined,
      p99Ms: undefined,
      net: w.net && f.net ? addNet(w.net, f.net) : null,
    };
    both.writeAmplification = both.net && written > 0 ? both.net.bytesUp / written : null;
    await rm(path, { force: true });
    return [read, write, flush, both];
  },
};

function addNet(a: NonNullable<PhaseResult['net']>, b: NonNullable<PhaseResult['net']>): NonNullable<PhaseResult['net']> {
  const byMethod: Record<string, number> = { ...a.byMethod };
  for (const [k, v] of Object.entries(b.byMethod)) byMethod[k] = (byMethod[k] ?? 0) + v;
  return { bytesUp: a.bytesUp + b.bytesUp, bytesDown: a.bytesDown + b.bytesDown, requests: a.requests + b.requests, byMethod };
}
