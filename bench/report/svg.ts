import type { PhaseResult, RunResults } from '../types.js';
import { formatNumber } from '../units.js';
import { rows } from './cells.js';

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const LABEL_W = 230;
const BAR_W = 420;
const VALUE_W = 110;
const BAR_H = 14;
const GAP = 12;
const WIDTH = LABEL_W + BAR_W + VALUE_W + 20;

/**
 * chart.svg: one group of horizontal bars per workload phase, one bar per system, each
 * group scaled to its own largest figure (the units differ between groups). Plain SVG, no
 * scripts, no fonts beyond the generic sans-serif.
 */
export function renderSvg(run: Pick<RunResults, 'results' | 'workloads' | 'systems'>): string {
  const systems = run.systems.filter((s) => !s.skipped).map((s) => s.name);
  const colour = new Map(systems.map((s, i) => [s, PALETTE[i % PALETTE.length]!]));
  const parts: string[] = [];
  let y = 20;
  parts.push(`<text x="10" y="${y}" font-size="16" font-weight="bold">chunkfs benchmark</text>`);
  y += 20;
  let x = 10;
  for (const s of systems) {
    parts.push(`<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${colour.get(s)}"/>`, `<text x="${x + 16}" y="${y}" font-size="12">${esc(s)}</text>`);
    x += 24 + s.length * 7;
  }
  y += 20;
  for (const row of rows(run)) {
    const figures = systems
      .map((s) => ({ s, cell: row.cells.get(s) }))
      .filter((c): c is { s: string; cell: PhaseResult } => typeof c.cell === 'object' && c.cell.value !== null);
    if (figures.length === 0) continue;
    const max = Math.max(...figures.map((f) => f.cell.value!), 1e-12);
    const hint = row.better === 'lower' ? ', lower is better' : '';
    parts.push(`<text x="10" y="${y + 12}" font-size="12" font-weight="bold">${esc(`${row.workload}: ${row.phase}`)}</text>`);
    parts.push(`<text x="10" y="${y + 26}" font-size="11" fill="#555">${esc(`${row.unit}${hint}`)}</text>`);
    for (const [i, f] of figures.entries()) {
      const by = y + i * (BAR_H + 3);
      const w = Math.max(1, (f.cell.value! / max) * BAR_W);
      parts.push(
        `<rect x="${LABEL_W}" y="${by}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${colour.get(f.s)}"><title>${esc(`${f.s}: ${formatNumber(f.cell.value!)} ${row.unit}`)}</title></rect>`,
        `<text x="${LABEL_W + w + 4}" y="${by + BAR_H - 3}" font-size="11">${esc(formatNumber(f.cell.value!))}</text>`,
      );
    }
    y += Math.max(32, figures.length * (BAR_H + 3)) + GAP;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y + 10}" viewBox="0 0 ${WIDTH} ${y + 10}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
