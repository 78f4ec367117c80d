import type { DriverResult } from '../driver/spec.js';
import { epochMs } from '../driver/timing.js';
import { exec } from '../procs.js';

interface FioSide {
  iops: number;
  total_ios: number;
  io_bytes: number;
  runtime: number;
  clat_ns?: { percentile?: Record<string, number> };
}

/**
 * fio's random 4 KiB reads or writes on an existing file for `seconds`, one at a time
 * (psync, iodepth 1), with the same fixed seed on every run. No final fsync: the caller
 * times the flush as its own step.
 */
export async function fioRandom(fio: string, path: string, size: number, mode: 'read' | 'write', seconds: number, block: number): Promise<DriverResult> {
  const args = [
    '--name=bench', `--filename=${path}`, `--rw=rand${mode}`, `--bs=${block}`, `--size=${size}`,
    `--runtime=${Math.round(seconds * 1000)}ms`, '--time_based=1', '--ioengine=psync', '--iodepth=1', '--invalidate=0',
    '--randrepeat=1', '--fallocate=none', '--create_on_open=0', '--output-format=json',
  ];
  const startedAtMs = epochMs();
  const r = await exec(fio, args, { timeoutMs: (seconds + 120) * 1000 });
  if (r.code !== 0) throw new Error(`fio failed: ${(r.stderr || r.stdout).trim().slice(0, 500)}`);
  const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { jobs: Record<'read' | 'write', FioSide>[] };
  const side = json.jobs[0]![mode];
  const pct = side.clat_ns?.percentile ?? {};
  const ms = (k: string): number | undefined => (pct[k] !== undefined ? pct[k]! / 1e6 : undefined);
  return {
    startedAtMs,
    seconds: side.runtime / 1000,
    appSeconds: side.runtime / 1000,
    bytes: side.io_bytes,
    ops: side.total_ios,
    p50Ms: ms('50.000000'),
    p99Ms: ms('99.000000'),
  };
}
