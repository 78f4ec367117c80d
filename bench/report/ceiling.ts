import type { PhaseResult, RunResults } from '../types.js';
import { formatNumber } from '../units.js';

/** Below this share of the raw store's PUT rate, chunkfs's small-file creates fall short of their target. */
export const SMALL_CREATE_TARGET = 0.8;
const PHASE = 'create until durable';

/** Shares of the no-op FUSE filesystem's sequential figures that chunkfs on a file store is to reach. */
export const FUSE_CEILING_TARGETS: readonly { phase: string; share: number }[] = [
  { phase: 'write', share: 0.6 },
  { phase: 'read cold', share: 0.7 },
  { phase: 'read warm', share: 0.7 },
];

function figure(run: Pick<RunResults, 'results'>, system: string, workload = 'smallfiles', phase = PHASE): number | null {
  const res = run.results.find((r) => r.system === system && r.workload === workload);
  const p: PhaseResult | undefined = res?.phases.find((ph) => ph.phase === phase);
  return p && typeof p.value === 'number' ? p.value : null;
}

/**
 * Markdown under the summary saying what chunkfs's small-file creates are measured against
 * (raw-store's PUTs of the same files), with each chunkfs system's share of it when both
 * ran. No lines when the run had neither the small files nor the raw store.
 */
export function smallCreateCeiling(run: Pick<RunResults, 'results' | 'systems' | 'workloads'>): string[] {
  if (!run.workloads.includes('smallfiles') || !run.systems.some((s) => s.name === 'raw-store')) return [];
  const target = `${Math.round(SMALL_CREATE_TARGET * 100)}%`;
  const out = [
    `chunkfs's smallfiles "${PHASE}" is to be compared with raw-store's, which PUTs the same files as objects with the same ` +
      `parallelism: the store's ceiling for small files. The target is at least ${target} of it.`,
    '',
  ];
  const ceiling = figure(run, 'raw-store');
  if (ceiling === null || ceiling <= 0) return out;
  for (const s of run.systems.filter((s) => s.name.startsWith('chunkfs'))) {
    const v = figure(run, s.name);
    if (v === null) continue;
    const share = v / ceiling;
    out.push(
      `- ${s.name}: ${formatNumber(v)} of ${formatNumber(ceiling)} ops/s, ${formatNumber(share * 100)}% ` +
        `(${share >= SMALL_CREATE_TARGET ? 'meets' : 'below'} the ${target} target)`,
    );
  }
  if (out.length > 2) out.push('');
  return out;
}

/**
 * Markdown saying how chunkfs on the file store compares with the no-op FUSE filesystem of
 * the same run (the binding's ceiling): each sequential phase as a share, against its
 * target. No lines unless both ran the sequential workload.
 */
export function fuseCeiling(run: Pick<RunResults, 'results' | 'systems' | 'workloads'>): string[] {
  const names = run.systems.map((s) => s.name);
  if (!run.workloads.includes('seq') || !names.includes('fuse-noop') || !names.includes('chunkfs-file')) return [];
  const out = ['chunkfs-file\'s sequential figures are to be compared with fuse-noop\'s, a fuse-native filesystem that stores nothing: the ceiling of the binding.', ''];
  for (const { phase, share: target } of FUSE_CEILING_TARGETS) {
    const ceiling = figure(run, 'fuse-noop', 'seq', phase);
    const v = figure(run, 'chunkfs-file', 'seq', phase);
    if (ceiling === null || ceiling <= 0 || v === null) continue;
    const share = v / ceiling;
    out.push(
      `- ${phase}: ${formatNumber(v)} of ${formatNumber(ceiling)} MB/s, ${formatNumber(share * 100)}% ` +
        `(${share >= target ? 'meets' : 'below'} the ${Math.round(target * 100)}% target)`,
    );
  }
  out.push(...diskBound(run));
  out.push('');
  return out;
}

/**
 * fuse-noop's writes go nowhere, while chunkfs-file's are on disk and synced when the
 * phase ends: the disk's own rate (local-disk, fsync included) bounds them too, so the
 * report gives both shares. No line unless local-disk ran the sequential write.
 */
function diskBound(run: Pick<RunResults, 'results'>): string[] {
  const disk = figure(run, 'local-disk', 'seq', 'write');
  const noop = figure(run, 'fuse-noop', 'seq', 'write');
  const v = figure(run, 'chunkfs-file', 'seq', 'write');
  if (disk === null || disk <= 0 || noop === null || noop <= 0 || v === null) return [];
  return [
    `- write, bounded by the disk: local-disk (the same bytes written to a plain directory, fsync included) wrote ` +
      `${formatNumber(disk)} MB/s, ${formatNumber((disk / noop) * 100)}% of fuse-noop; chunkfs-file reached ` +
      `${formatNumber((v / disk) * 100)}% of it`,
  ];
}
