import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { block } from './data.js';
import type { DriverResult } from './spec.js';
import { Latencies, epochMs, nowMs } from './timing.js';

/** Changes one byte at `offset` of an existing file and fsyncs it: open, pwrite, fsync, close. */
export function poke(path: string, offset: number): DriverResult {
  const startedAtMs = epochMs();
  const t0 = nowMs();
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.from([0xa5]), 0, 1, offset);
  const app = nowMs();
  fsyncSync(fd);
  closeSync(fd);
  const t1 = nowMs();
  return { startedAtMs, seconds: (t1 - t0) / 1000, appSeconds: (app - t0) / 1000, bytes: 1, ops: 1 };
}

export function rename(from: string, to: string): DriverResult {
  const startedAtMs = epochMs();
  const t0 = nowMs();
  renameSync(from, to);
  const seconds = (nowMs() - t0) / 1000;
  return { startedAtMs, seconds, appSeconds: seconds, bytes: 0, ops: 1 };
}

/** `count` appends of `size` bytes, each followed by fsync (a log's pattern); latency per append+fsync. */
export function appendFsync(path: string, count: number, size: number): DriverResult {
  const lat = new Latencies(count);
  const startedAtMs = epochMs();
  const t0 = nowMs();
  const fd = openSync(path, 'a');
  for (let i = 0; i < count; i++) {
    const data = block(size, i + 100);
    const s = nowMs();
    writeSync(fd, data, 0, size);
    fsyncSync(fd);
    lat.add(nowMs() - s);
  }
  closeSync(fd);
  const seconds = (nowMs() - t0) / 1000;
  return { startedAtMs, seconds, appSeconds: seconds, bytes: count * size, ops: count, p50Ms: lat.percentile(50), p99Ms: lat.percentile(99) };
}

/** Opens an existing file and fsyncs it: the time to make earlier writes durable. */
export function fsyncFile(path: string): DriverResult {
  const startedAtMs = epochMs();
  const t0 = nowMs();
  const fd = openSync(path, 'r+');
  fsyncSync(fd);
  closeSync(fd);
  const seconds = (nowMs() - t0) / 1000;
  return { startedAtMs, seconds, appSeconds: seconds, bytes: 0, ops: 1 };
}
