import type { PhaseResult, RunResults } from '../types.js';
import { formatNumber } from '../units.js';

/** Below this share of the raw store's PUT rate, chunkfs's small-file creates fall short of their target. */
export const SMALL_CREATE_TARGET = 0.8;
const PHASE = 'create until durable';

function figure(run: Pick<RunResults, 'results'>, system: string): number | null {
  const res = run.results.find((r) => r.system === system && r.workload === 'smallfiles');
  const p: PhaseResult | undefined = res?.phases.find((ph) => ph.phase === PHASE);
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
