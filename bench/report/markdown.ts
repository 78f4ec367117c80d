import type { RunResults } from '../types.js';
import { formatBytes, formatNumber } from '../units.js';
import { fuseCeiling, smallCreateCeiling } from './ceiling.js';
import { cellText, cpuText, netText, requestsText, rows } from './cells.js';

const esc = (s: string): string => s.replace(/\|/g, '\\|');
const table = (header: string[], body: string[][]): string[] => [
  `| ${header.map(esc).join(' | ')} |`,
  `| ${header.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`,
  ...body.map((r) => `| ${r.map(esc).join(' | ')} |`),
];

/** report.md: the settings, the summary table, then every phase's details per system. */
export function renderMarkdown(run: RunResults): string {
  const systems = run.systems.map((s) => s.name);
  const net = run.network;
  const lines: string[] = [
    '# chunkfs benchmark',
    '',
    `Run ${run.startedAt} to ${run.finishedAt}${run.quick ? ' (--quick sizes)' : ''} on ${run.host.cpus} cores, ` +
      `${formatBytes(run.host.memoryBytes)} memory, Node ${run.host.node}, Linux ${run.host.kernel}; ` +
      `load average ${run.host.loadAvg.start.toFixed(1)} at the start, ${run.host.loadAvg.end.toFixed(1)} at the end.`,
    `Proxy: ${net.latencyMs} ms added per request, ${net.bandwidthBytesPerSec ? `${formatNumber(net.bandwidthBytesPerSec / 1e6)} MB/s cap each way` : 'no bandwidth cap'}.`,
    `Sizes: large file ${formatBytes(run.sizes.bigFile)}, random I/O on ${formatBytes(run.sizes.randomFile)} for ${run.sizes.randomSeconds} s, ` +
      `${run.sizes.smallFiles} small files of ${formatBytes(run.sizes.smallFileSize)}, ls -l of ${run.sizes.lsEntries} entries, ` +
      `${run.sizes.appendCount} appends of ${formatBytes(run.sizes.appendSize)}.`,
    '',
    '## Systems',
    '',
    ...run.systems.map((s) => `- **${s.name}**: ${s.description}${s.skipped ? ` — skipped: ${s.skipped}` : ''}`),
    '',
    '## Summary',
    '',
    'MB/s are 10^6 bytes per second. `n/a`: the workload does not apply to that system; `-`: the workload ran there but has ' +
      'no such phase (raw-store has no stat or app-visible create; without a store there is no "until durable"); `failed`: see Skipped and failed.',
    '',
    ...table(
      ['workload', 'phase', 'unit', ...systems],
      rows(run).map((r) => [r.workload, r.phase, `${r.unit}${r.better === 'lower' ? ' (lower is better)' : ''}`, ...systems.map((s) => cellText(r.cells.get(s)))]),
    ),
    '',
    ...smallCreateCeiling(run),
    ...fuseCeiling(run),
    '![chart](chart.svg)',
    '',
    '## Details',
    '',
    'Bytes and requests are counted at the proxy between the filesystem and the store (request and response bodies). ' +
      'Write amplification is bytes uploaded / bytes the application wrote. Peak RSS is the daemon\'s VmHWM at the end of the phase. ' +
      'CPU is the seconds of CPU (user and system) each process used in the phase: the application (the driver, or the raw store\'s SDK client), ' +
      'the daemon serving the mount, the store (s3rver) and the bench process, which hosts the proxy; the machine has as many CPU seconds per second as it has cores.',
    '',
  ];
  const detail: string[][] = [];
  for (const res of run.results) {
    for (const p of res.phases) {
      detail.push([
        res.workload,
        p.phase,
        res.system,
        p.value === null ? '-' : `${formatNumber(p.value)} ${p.unit}`,
        p.p50Ms !== undefined ? `${formatNumber(p.p50Ms)} / ${formatNumber(p.p99Ms ?? NaN)}` : '',
        netText(p),
        requestsText(p),
        p.writeAmplification != null ? formatNumber(p.writeAmplification) : '',
        p.daemonPeakRssBytes != null ? formatBytes(p.daemonPeakRssBytes) : '',
        cpuText(p),
        p.note ?? '',
      ]);
    }
  }
  lines.push(...table(['workload', 'phase', 'system', 'figure', 'p50 / p99 ms', 'up / down', 'requests', 'write ampl.', 'daemon peak RSS', 'CPU s: app / daemon / store / proxy', 'note'], detail), '');
  const problems = run.results.filter((r) => r.error || r.skipped);
  if (problems.length > 0) {
    lines.push('## Skipped and failed', '');
    for (const r of problems) lines.push(`- ${r.workload} on ${r.system}: ${r.error ? `failed: ${r.error}` : `skipped: ${r.skipped}`}`);
    lines.push('');
  }
  if (run.notes.length > 0) lines.push('## Notes', '', ...run.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}
