import type { FsckReport } from './types.js';

/** The human summary: one row per check (found, fixed, notes), then the verdict. */
export function formatSummary(r: FsckReport): string {
  const width = Math.max(5, ...r.checks.map((c) => c.name.length));
  const lines = [`${'check'.padEnd(width)}  errors  fixed  notes  what it checks`];
  for (const c of r.checks) {
    const cols = [String(c.errors).padStart(6), String(c.repaired).padStart(5), String(c.notes).padStart(5)].join('  ');
    lines.push(`${c.name.padEnd(width)}  ${cols}  ${c.skipped ? `skipped: ${c.skipped}` : c.title}`);
  }
  lines.push('');
  lines.push(`metadata: ${r.source === 'local' ? `local database ${r.dbPath}` : 'newest snapshot in the store'}`);
  if (r.snapshot) lines.push(`uploaded metadata snapshot ${r.snapshot.key}`);
  lines.push(verdict(r));
  return lines.join('\n');
}

function verdict(r: FsckReport): string {
  const secs = (r.durationMs / 1000).toFixed(1);
  if (r.errors === 0) return `${r.store}: clean (${secs} s)`;
  if (r.repair) return `${r.store}: ${r.errors} error(s) found and corrected (${secs} s)`;
  return `${r.store}: ${r.errors} error(s) found, none corrected: run again with --repair (${secs} s)`;
}

/** The report for scripts: the whole FsckReport, one JSON document. */
export function formatJson(r: FsckReport): string {
  return JSON.stringify(r, null, 2);
}
