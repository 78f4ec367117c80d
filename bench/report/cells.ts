import type { PhaseResult, RunResults, WorkloadResult } from '../types.js';
import { formatBytes, formatNumber } from '../units.js';

/** A table row: one phase of one workload, one cell per system. */
export interface Row {
  workload: string;
  phase: string;
  unit: string;
  better: 'higher' | 'lower';
  cells: Map<string, PhaseResult | string>;
}

/** Rows in run order; a cell is the phase, or the reason it has no figure (skipped, failed). */
export function rows(run: Pick<RunResults, 'results' | 'workloads'>): Row[] {
  const out: Row[] = [];
  const find = (workload: string, phase: string): Row | undefined => out.find((r) => r.workload === workload && r.phase === phase);
  for (const w of run.workloads) {
    for (const res of run.results.filter((r) => r.workload === w)) {
      // A phase one system has and an earlier one lacks goes after this system's previous
      // phase (or first), so each system's phases keep their order whichever system ran first.
      let previous: Row | undefined;
      for (const p of res.phases) {
        let row = find(w, p.phase);
        if (!row) {
          row = { workload: w, phase: p.phase, unit: p.unit, better: p.better, cells: new Map() };
          const first = out.findIndex((r) => r.workload === w);
          out.splice(previous ? out.indexOf(previous) + 1 : first === -1 ? out.length : first, 0, row);
        }
        row.cells.set(res.system, p);
        previous = row;
      }
    }
    for (const res of run.results.filter((r) => r.workload === w && r.phases.length === 0)) {
      for (const row of out.filter((r) => r.workload === w)) row.cells.set(res.system, reason(res));
      if (!out.some((r) => r.workload === w)) {
        out.push({ workload: w, phase: '-', unit: '', better: 'higher', cells: new Map([[res.system, reason(res)]]) });
      }
    }
  }
  return out;
}

export function reason(res: WorkloadResult): string {
  if (res.error) return 'failed';
  if (res.skipped) return 'n/a';
  return '-';
}

/** A cell as text: the figure, or the reason. */
export function cellText(cell: PhaseResult | string | undefined): string {
  if (cell === undefined) return '-';
  if (typeof cell === 'string') return cell;
  return cell.value === null ? '-' : formatNumber(cell.value);
}

/** Bytes up / down at the proxy, as `12 MiB / 4 MiB`. */
export function netText(p: PhaseResult): string {
  if (!p.net) return '';
  return `${formatBytes(p.net.bytesUp)} / ${formatBytes(p.net.bytesDown)}`;
}

/** Requests by method, as `PUT 3, GET 1`. */
export function requestsText(p: PhaseResult): string {
  if (!p.net) return '';
  return Object.entries(p.net.byMethod).map(([m, n]) => `${m} ${n}`).join(', ') || '0';
}

/** CPU seconds per process in a phase, `-` where there is no such process. */
export function cpuText(p: PhaseResult): string {
  if (!p.cpu) return '';
  const f = (n: number | null): string => (n === null ? '-' : n.toFixed(1));
  const total = [p.cpu.app, p.cpu.daemon, p.cpu.store, p.cpu.harness].reduce<number>((sum, n) => sum + (n ?? 0), 0);
  return `${f(p.cpu.app)} / ${f(p.cpu.daemon)} / ${f(p.cpu.store)} / ${f(p.cpu.harness)} (${total.toFixed(1)})`;
}
