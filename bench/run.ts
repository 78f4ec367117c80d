import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Cleanup } from './cleanup.js';
import { liveDrivers } from './driver/client.js';
import { exec, mountsUnder, hasCommand } from './procs.js';
import { renderMarkdown } from './report/markdown.js';
import { renderSvg } from './report/svg.js';
import { renderTable } from './report/table.js';
import { setUp, SYSTEM_NAMES, type SetupOptions } from './setup.js';
import { FULL, QUICK } from './sizes.js';
import type { BenchSystem } from './systems/types.js';
import type { PhaseResult, RunResults, WorkloadResult } from './types.js';
import { formatNumber } from './units.js';
import { WORKLOADS } from './workloads/index.js';
import type { WorkloadContext } from './workloads/types.js';

export interface BenchOptions {
  quick: boolean;
  out?: string;
  latencyMs: number;
  bandwidth: number | null;
  workloads: string[];
  systems: string[];
  /** Uploads (chunkfs) and requests (raw store) in flight at once. */
  parallel: number;
  store?: SetupOptions['store'];
  log(line: string): void;
}

export const DEFAULT_PARALLEL = 8;

/** Set by Ctrl-C: no new workload or system starts while the cleanup runs. */
let aborted = false;
export const DEFAULT_SYSTEMS: string[] = [...SYSTEM_NAMES];

/**
 * A whole benchmark run: set up the store, proxy and systems, run every workload on every
 * system, write the reports, and undo everything — on success, failure or Ctrl-C.
 * Returns the results (also written to `out` when given).
 */
export async function runBench(o: BenchOptions): Promise<RunResults> {
  const scratch = mkdtempSync(join(tmpdir(), 'chunkfs-bench-'));
  const cleanup = new Cleanup();
  cleanup.add('remove the scratch directory', () => removeScratch(scratch));
  const onSignal = (sig: NodeJS.Signals): void => {
    aborted = true;
    o.log(`\n${sig}: stopping, unmounting and cleaning up`);
    for (const d of liveDrivers) d.kill('SIGKILL');
    void cleanup.runAll().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const sizes = o.quick ? QUICK : FULL;
  const started = new Date();
  const results: WorkloadResult[] = [];
  const run: RunResults = {
    version: 1, startedAt: started.toISOString(), finishedAt: '', quick: o.quick, sizes,
    network: { latencyMs: o.latencyMs, bandwidthBytesPerSec: o.bandwidth },
    host: { cpus: cpus().length, memoryBytes: totalmem(), node: process.versions.node, kernel: release(), loadAvg: { start: loadavg()[0]!, end: 0 } },
    scratchDir: scratch, systems: [], workloads: o.workloads, results, notes: [],
  };
  try {
    const setup = await setUp({ scratch, latencyMs: o.latencyMs, bandwidth: o.bandwidth, systems: o.systems, parallel: o.parallel, chunkSize: 4 * 2 ** 20, store: o.store, log: o.log }, cleanup);
    run.notes.push(...setup.notes);
    run.systems = [...setup.systems.map((s) => ({ name: s.name, description: s.description })), ...setup.skipped];
    for (const s of setup.skipped) o.log(`${s.name}: skipped: ${s.skipped}`);
    const fio = (await hasCommand('fio')) ? 'fio' : null;
    run.notes.push(fio ? 'Random I/O ran with fio (psync, iodepth 1).' : 'fio is not installed: random I/O ran with the built-in generator (iodepth 1).');
    for (const system of setup.systems) {
      if (aborted) break;
      results.push(...(await runSystem(system, o, sizes, fio, setup.storePid, cleanup)));
      // Descriptions may learn something during the run (the local disk's page cache).
      run.systems.find((s) => s.name === system.name)!.description = system.description;
      // A long run that dies later still leaves what it measured so far.
      if (o.out) writeReports(resolve(o.out), { ...run, finishedAt: '(running)' });
    }
  } finally {
    // The children being stopped are unref'd; this timer keeps the process alive until they are gone.
    const keepAlive = setInterval(() => undefined, 1000);
    const failures = await cleanup.runAll().finally(() => clearInterval(keepAlive));
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    run.finishedAt = new Date().toISOString();
    run.host.loadAvg.end = loadavg()[0]!;
    for (const f of failures) run.notes.push(`cleanup: ${f}`);
    if (o.out) writeReports(resolve(o.out), run);
  }
  return run;
}

async function runSystem(system: BenchSystem, o: BenchOptions, sizes: RunResults['sizes'], fio: string | null, storePid: number | null, cleanup: Cleanup): Promise<WorkloadResult[]> {
  const out: WorkloadResult[] = [];
  o.log(`${system.name}: starting`);
  const stop = cleanup.add(`stop ${system.name}`, () => system.stop());
  let startError: string | undefined;
  try {
    await system.start();
  } catch (err) {
    startError = (err as Error).message;
    o.log(`${system.name}: could not start: ${startError}`);
  }
  const ctx: WorkloadContext = {
    system, sizes, fio, storePid,
    stepTimeoutMs: (o.quick ? 120 : 1200) * 1000,
    fixtures: new Map(),
    progress: () => undefined,
  };
  for (const w of WORKLOADS.filter((w) => o.workloads.includes(w.name))) {
    if (aborted) break;
    const t0 = performance.now();
    const base = { workload: w.name, system: system.name, phases: [] as PhaseResult[] };
    const unsupported = system.unsupported(w.name);
    if (startError || unsupported) {
      out.push({ ...base, ...(startError ? { error: `could not start: ${startError}` } : { skipped: unsupported! }), seconds: 0 });
      continue;
    }
    ctx.progress = (m) => o.log(`${system.name} ${w.name}: ${m}`);
    try {
      const phases = await w.run(ctx);
      out.push({ ...base, phases, seconds: (performance.now() - t0) / 1000 });
      for (const p of phases) o.log(`${system.name} ${w.name} ${p.phase}: ${p.value === null ? '-' : formatNumber(p.value)} ${p.unit}`);
    } catch (err) {
      const msg = (err as Error).message;
      out.push({ ...base, error: msg, seconds: (performance.now() - t0) / 1000 });
      o.log(`${system.name} ${w.name}: FAILED: ${msg}`);
    }
  }
  o.log(`${system.name}: stopping`);
  await stop();
  return out;
}

function writeReports(dir: string, run: RunResults): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(join(dir, 'report.md'), renderMarkdown(run));
  writeFileSync(join(dir, 'chart.svg'), renderSvg(run));
}

/** Removes the scratch directory, first clearing any mount left under it (never crossing into one). */
async function removeScratch(dir: string): Promise<void> {
  for (const mp of mountsUnder(dir).reverse()) await exec('fusermount', ['-uz', mp], { timeoutMs: 10_000 });
  if (mountsUnder(dir).length > 0) throw new Error(`still mounted under ${dir}: ${mountsUnder(dir).join(', ')}`);
  rmSync(dir, { recursive: true, force: true });
}

export { renderTable };
