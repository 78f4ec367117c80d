import { spawnSync } from 'node:child_process';
import { closeSync, lstatSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { block } from './data.js';
import { smallName, type DriverResult } from './spec.js';
import { Latencies, epochMs, nowMs } from './timing.js';

/** Runs `one(i)` for i in [0, count), timing each call. */
function timed(count: number, bytesEach: number, one: (i: number) => void): DriverResult {
  const lat = new Latencies(count);
  const startedAtMs = epochMs();
  const t0 = nowMs();
  for (let i = 0; i < count; i++) {
    const s = nowMs();
    one(i);
    lat.add(nowMs() - s);
  }
  const seconds = (nowMs() - t0) / 1000;
  return { startedAtMs, seconds, appSeconds: seconds, bytes: count * bytesEach, ops: count, p50Ms: lat.percentile(50), p99Ms: lat.percentile(99) };
}

/** create + write + close of `count` files of `size` bytes. */
export function createFiles(dir: string, count: number, size: number): DriverResult {
  const data = block(size, 7);
  return timed(count, size, (i) => {
    const fd = openSync(join(dir, smallName(i)), 'wx');
    writeSync(fd, data, 0, size, 0);
    closeSync(fd);
  });
}

export function statFiles(dir: string, count: number): DriverResult {
  return timed(count, 0, (i) => void lstatSync(join(dir, smallName(i))));
}

export function readFiles(dir: string, count: number): DriverResult {
  const buf = Buffer.allocUnsafe(1 << 20);
  let total = 0;
  const r = timed(count, 0, (i) => {
    const fd = openSync(join(dir, smallName(i)), 'r');
    let n: number;
    while ((n = readSync(fd, buf, 0, buf.length, null)) > 0) total += n;
    closeSync(fd);
  });
  return { ...r, bytes: total };
}

export function deleteFiles(dir: string, count: number): DriverResult {
  return timed(count, 0, (i) => unlinkSync(join(dir, smallName(i))));
}

/**
 * `ls -l DIR` itself (getdents, then lstat and the ACL/label xattr probes per entry), output
 * discarded: what a person waits for.
 */
export function listLong(dir: string): DriverResult {
  const startedAtMs = epochMs();
  const t0 = nowMs();
  const r = spawnSync('ls', ['-l', '--color=never', dir], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  const seconds = (nowMs() - t0) / 1000;
  if (r.status !== 0) throw new Error(`ls -l ${dir} failed: ${r.stderr?.toString().trim() ?? r.error?.message}`);
  const entries = r.stdout.toString().split('\n').filter((l) => l !== '' && !l.startsWith('total ')).length;
  return { startedAtMs, seconds, appSeconds: seconds, bytes: 0, ops: entries };
}
