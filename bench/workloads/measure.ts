import { join } from 'node:path';
import { runStep } from '../driver/client.js';
import type { DriverResult, DriverSpec } from '../driver/spec.js';
import { mbps } from '../units.js';
import { cpuSeconds } from '../procs.js';
import type { NetCounts, PhaseCpu, PhaseResult } from '../types.js';
import type { WorkloadContext } from './types.js';

/** How long the proxy must be quiet before a phase's uploads count as finished. */
const SETTLE_QUIET_MS = 500;
const SETTLE_MAX_MS = 120_000;

export interface Measured {
  r: DriverResult;
  net: NetCounts | null;
  /** Epoch ms when the last request of the phase ended (background uploads included). */
  lastRequestAtMs: number | null;
  rss: number | null;
  cpu: PhaseCpu;
}

/** CPU seconds so far of the daemon, the store and this process. */
function cpuNow(ctx: WorkloadContext): { daemon: number | null; store: number | null; harness: number } {
  const daemon = ctx.system.daemonPid();
  const usage = process.cpuUsage();
  return {
    daemon: daemon === null ? null : cpuSeconds(daemon),
    store: ctx.storePid === null ? null : cpuSeconds(ctx.storePid),
    harness: (usage.user + usage.system) / 1e6,
  };
}

const spent = (before: number | null, after: number | null): number | null => (before === null || after === null ? null : after - before);

/**
 * Runs `step` with the proxy's counters reset, then waits until the proxy has been quiet
 * (so uploads that continue after the application returned are counted with the phase),
 * and reads the counters and the daemon's peak RSS.
 */
export async function measure(ctx: WorkloadContext, step: () => Promise<DriverResult>): Promise<Measured> {
  const proxy = ctx.system.proxy;
  if (proxy) await proxy.waitIdle(200, 30_000);
  proxy?.reset();
  const before = cpuNow(ctx);
  const r = await step();
  const lastRequestAtMs = proxy ? await proxy.waitIdle(SETTLE_QUIET_MS, SETTLE_MAX_MS) : null;
  const after = cpuNow(ctx);
  const cpu: PhaseCpu = {
    app: r.cpuSeconds ?? null,
    daemon: spent(before.daemon, after.daemon),
    // s3rver serves only the systems behind the proxy; it idles through the others.
    store: ctx.system.proxy ? spent(before.store, after.store) : null,
    harness: after.harness - before.harness,
  };
  return { r, net: proxy?.snapshot() ?? null, lastRequestAtMs, rss: ctx.system.daemonPeakRss(), cpu };
}

/** One driver step, measured. */
export function driver(ctx: WorkloadContext, spec: DriverSpec): Promise<Measured> {
  return measure(ctx, () => runStep(spec, ctx.stepTimeoutMs));
}

/** Runs a driver step untimed: setting up a fixture. */
export async function prepare(ctx: WorkloadContext, spec: DriverSpec): Promise<void> {
  await runStep(spec, ctx.stepTimeoutMs);
  await ctx.system.proxy?.waitIdle(300, 120_000);
}

/** The fields every phase reports from a measurement. */
export function common(m: Measured, written: number): Partial<PhaseResult> {
  return {
    bytes: m.r.bytes,
    ops: m.r.ops,
    seconds: m.r.seconds,
    ...(m.r.p50Ms !== undefined ? { p50Ms: m.r.p50Ms, p99Ms: m.r.p99Ms } : {}),
    net: m.net,
    writeAmplification: m.net && written > 0 ? m.net.bytesUp / written : null,
    daemonPeakRssBytes: m.rss,
    cpu: m.cpu,
  };
}

export function rate(phase: string, m: Measured, written: number, seconds = m.r.seconds): PhaseResult {
  return { phase, value: mbps(m.r.bytes, seconds), unit: 'MB/s', better: 'higher', ...common(m, written) };
}

export function opsRate(phase: string, m: Measured, written: number, seconds = m.r.seconds): PhaseResult {
  return { phase, value: m.r.ops / Math.max(seconds, 1e-9), unit: 'ops/s', better: 'higher', ...common(m, written) };
}

export function time(phase: string, m: Measured, written: number, unit: 's' | 'ms' = 's', seconds = m.r.seconds): PhaseResult {
  return { phase, value: unit === 's' ? seconds : seconds * 1000, unit, better: 'lower', ...common(m, written) };
}

/**
 * The large file of this system (1 GiB by default), written once and shared by the
 * workloads that need one; written here when the sequential workload did not run first.
 */
export async function bigFile(ctx: WorkloadContext): Promise<string> {
  const have = ctx.fixtures.get('big');
  if (have && have.size === ctx.sizes.bigFile) return have.path;
  const path = join(ctx.system.root, 'big.bin');
  ctx.progress('writing the large file');
  await prepare(ctx, { op: 'seqWrite', path, size: ctx.sizes.bigFile, block: ctx.sizes.ioBlock, fsync: true });
  ctx.fixtures.set('big', { path, size: ctx.sizes.bigFile });
  return path;
}
