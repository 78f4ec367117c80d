import { UsageError } from '../src/errors.js';

/** `20ms`, `20`, `0.5s` → milliseconds (a bare number is milliseconds). */
export function parseLatency(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--latency must be a duration like 20ms or 0.1s, not "${text}"`);
  return Number(m[1]) * ((m[2] ?? 'ms').toLowerCase() === 's' ? 1000 : 1);
}

/**
 * `100MB/s`, `1.5GB/s`, `800KiB/s`, `50000000` → bytes per second. MB is 10^6 bytes and
 * MiB is 2^20, as in the figures the report prints (MB/s).
 */
export function parseBandwidth(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(?:([kmg])(i?)b?)?(?:\/s)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--bandwidth must be a rate like 100MB/s, not "${text}"`);
  const power = { '': 0, k: 1, m: 2, g: 3 }[(m[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  const base = m[3] ? 1024 : 1000;
  const rate = Number(m[1]) * base ** power;
  if (!(rate > 0)) throw new UsageError(`--bandwidth must be above zero, not "${text}"`);
  return rate;
}

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;

/** Megabytes (10^6) per second. */
export const mbps = (bytes: number, seconds: number): number => bytes / 1e6 / Math.max(seconds, 1e-9);

/** A size for people: 4 KiB, 64 MiB, 1 GiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number(v.toFixed(v < 10 ? 2 : 1))} ${units[i]}`;
}

/** A figure with three significant digits at most, and no exponent. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  if (abs >= 1000) return Math.round(v).toLocaleString('en-US');
  if (abs >= 100) return v.toFixed(0);
  if (abs >= 10) return v.toFixed(1);
  if (abs >= 1) return v.toFixed(2);
  if (abs === 0) return '0';
  return v.toPrecision(2);
}
