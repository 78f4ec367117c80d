import type { RunResults } from '../types.js';
import { cellText, rows } from './cells.js';

/** The terminal table: one row per workload phase, one column per system. */
export function renderTable(run: Pick<RunResults, 'results' | 'workloads' | 'systems'>): string {
  const systems = run.systems.map((s) => s.name);
  const header = ['workload', 'phase', 'unit', ...systems];
  const body = rows(run).map((r) => [r.workload, r.phase, r.unit + (r.better === 'lower' ? ' (lower=better)' : ''), ...systems.map((s) => cellText(r.cells.get(s)))]);
  const all = [header, ...body];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
